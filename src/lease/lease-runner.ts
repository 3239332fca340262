// Consumes the stream only while this process holds the ingest lease: starts on taking it, stands down on losing it.
import type { Logger } from "../log/logger.ts";
import { CASSANDRA_READ } from "../retry/policies.ts";
import { retry } from "../retry/retry.ts";
import type { WriteGuard } from "../store/write-guard.ts";
import type { StreamSource } from "../stream/index.ts";
import type { IngestLease } from "./ingest-lease.ts";

/** What the runner needs of the store it fences and hands over (the Cassandra store). */
export interface LeasedStore {
  /** From now on every flush asks `guard` first. */
  fence(guard: WriteGuard): void;
  /** Before leading: brings the store up to what the last holder wrote. */
  takeOver(): Promise<void>;
  /** On standing down: drops what was counted and not flushed. */
  discardPending(): Promise<void>;
  flush(): Promise<void>;
}

interface LeaseRunnerOptions {
  lease: IngestLease;
  store: LeasedStore;
  /** Opens the stream at the saved position (undefined when stopping meanwhile). */
  open: () => Promise<StreamSource | undefined>;
  log: Logger;
}

export class LeaseRunner {
  private source: StreamSource | undefined;
  private running: Promise<void> | undefined;
  /** Role changes run one after another: standing down always ends before leading again. */
  private changes: Promise<void> = Promise.resolve();
  private readonly stopping = new AbortController();
  /** Aborted when the lease is lost: a take-over still retrying gives up. */
  private leading: AbortController | undefined;
  private ended!: () => void;
  /** Resolves when a stream this process led ended by itself (a replayed capture finished), or on stop(). */
  readonly done = new Promise<void>((resolve) => (this.ended = resolve));

  constructor(private readonly options: LeaseRunnerOptions) {}

  /** The stream while leading; undefined while standing by. */
  get current(): StreamSource | undefined {
    return this.source;
  }

  start(): void {
    const { lease } = this.options;
    this.options.store.fence(lease);
    lease.onLead = () => this.change(() => this.lead());
    lease.onLose = () => {
      this.leading?.abort();
      this.change(() => this.standDown());
    };
    lease.start();
  }

  /** Graceful hand-over: stop the stream, flush what it counted, then release the lease at once. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.changes;
    if (this.source) {
      await this.source.stop();
      await this.running;
      await this.options.store.flush().catch((error: unknown) => {
        this.options.log.error("final flush before releasing the ingest lease failed", { error });
      });
    }
    await this.options.lease.stop();
    this.ended();
  }

  private change(work: () => Promise<void>): void {
    this.changes = this.changes.then(work).catch((error: unknown) => {
      if (!this.stopping.signal.aborted) this.options.log.error("ingest lease hand-over failed", { error });
    });
  }

  private async lead(): Promise<void> {
    const { lease, store, log } = this.options;
    // A leader that cannot start must keep trying (or lose the lease): nobody else will while it holds it.
    if (this.stopping.signal.aborted || !lease.isLeader) return;
    this.leading = new AbortController();
    try {
      await retry(() => store.takeOver(), {
        backoff: CASSANDRA_READ,
        signal: AbortSignal.any([this.stopping.signal, this.leading.signal]),
        onRetry: (error, attempt, retryInMs) =>
          log.warn("reading the totals before taking over failed; retrying", { error, attempt, retry_in_ms: retryInMs }),
      });
    } catch {
      // Given up only because this process is stopping or no longer leads.
      return;
    }
    const source = await this.options.open();
    if (source === undefined || this.stopping.signal.aborted) return;
    this.source = source;
    this.running = source.run().then(
      () => {
        // Still the current source: it ended on its own, not because this process stood down.
        if (this.source === source) this.ended();
      },
      (error: unknown) => {
        if (!this.stopping.signal.aborted) this.options.log.error("stream consumer crashed", { error });
      },
    );
  }

  /** What was counted and not flushed is dropped: the next holder re-reads those events from the saved position. */
  private async standDown(): Promise<void> {
    const source = this.source;
    this.source = undefined;
    if (source) {
      await source.stop();
      await this.running;
    }
    await this.options.store.discardPending();
    this.options.log.info("standing by: the stream is closed until this instance holds the ingest lease again");
  }
}

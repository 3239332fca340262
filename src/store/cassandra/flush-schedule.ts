// When the Cassandra store flushes: every interval, early for a backlog, and with backoff after failures.
import { LeaseLostError } from "../write-guard.ts";
import type { Logger } from "../../log/logger.ts";
import { Backoff } from "../../retry/backoff.ts";
import type { FlushObserver } from "../stats-store.ts";
import { driverErrorText } from "./connection.ts";

const MAX_RETRY_MS = 5_000;
/** A flush that wrote at least this many events means a backlog is being read: see followBacklog(). */
export const BACKLOG_EVENTS = 1_000;
/** In a backlog, a stream that added nothing for this long has caught up. */
export const QUIET_MS = 20;

interface FlushScheduleOptions {
  intervalMs: number;
  /**
   * One scheduled round: writes what is pending, or re-reads the totals when nothing is. Resolves to
   * the events written (undefined when nothing was written); rejects when Cassandra failed.
   */
  round: () => Promise<number | undefined>;
  /** Events waiting to be written, to tell when a backlog has been read. */
  pendingEvents: () => number;
  log: Logger;
}

/**
 * Runs the store's rounds on one timer. After a round that wrote a backlog's worth of events, the next
 * starts as soon as the stream goes quiet (or at the latest after the interval); after a failure, it
 * waits from two intervals up to MAX_RETRY_MS, and the failure is kept for /ready and /health.
 */
export class FlushSchedule {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly stopping = new AbortController();
  private earlyQueued = false;
  private failures = 0;
  private readonly backoff: Backoff;
  private observer: FlushObserver | undefined;
  /** When the first of the current run of failed rounds failed (performance.now()), if one is failing. */
  failingSince: number | undefined;
  lastError: string | undefined;

  constructor(private readonly options: FlushScheduleOptions) {
    this.backoff = new Backoff({ minMs: Math.min(MAX_RETRY_MS, 2 * options.intervalMs), maxMs: MAX_RETRY_MS });
  }

  /** The first round, one interval from now. */
  start(): void {
    this.schedule(this.options.intervalMs);
  }

  /** A round as soon as possible, once until it runs (a flush is due early: see CassandraStore.add). */
  soon(): void {
    if (this.earlyQueued) return;
    this.earlyQueued = true;
    this.schedule(0);
  }

  /** No round is started from now on (one running goes on to its end). */
  stop(): void {
    this.stopping.abort();
    clearTimeout(this.timer);
  }

  observe(observer: FlushObserver): void {
    this.observer = observer;
  }

  private schedule(delayMs: number): void {
    if (this.stopping.signal.aborted) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  /**
   * While a backlog is read (a backfill, the catch-up after a reconnect), the next round starts once
   * the store asks for one early or as soon as the stream goes quiet, so the backlog's last events
   * wait for one flush rather than for the timer; and at the latest after the interval.
   */
  private followBacklog(): void {
    if (this.stopping.signal.aborted) return;
    clearTimeout(this.timer);
    const deadline = performance.now() + this.options.intervalMs;
    const poll = (seen: number) => {
      this.timer = setTimeout(() => {
        const pending = this.options.pendingEvents();
        if (pending === seen || performance.now() >= deadline) void this.tick();
        else poll(pending);
      }, QUIET_MS);
    };
    poll(this.options.pendingEvents());
  }

  private async tick(): Promise<void> {
    this.earlyQueued = false;
    const { log, intervalMs } = this.options;
    const started = performance.now();
    try {
      const written = await this.options.round();
      if (written !== undefined) this.observer?.((performance.now() - started) / 1000, false);
      if (this.failures > 0) log.info("Cassandra writes recovered", { after_failures: this.failures });
      this.failures = 0;
      this.backoff.reset();
      this.failingSince = undefined;
      this.lastError = undefined;
      if (written !== undefined && written >= BACKLOG_EVENTS) this.followBacklog();
      else this.schedule(intervalMs);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        // Not a Cassandra failure: the lease runner stands this process down and drops what is pending.
        log.warn("flush refused: not holding the ingest lease", { error, pending_events: this.options.pendingEvents() });
        this.schedule(intervalMs);
        return;
      }
      this.failures++;
      this.observer?.((performance.now() - started) / 1000, true);
      this.failingSince ??= performance.now();
      this.lastError = `flush failed: ${driverErrorText(error)}`;
      const retryInMs = this.backoff.next();
      log.warn("flush to Cassandra failed; counts kept in memory", {
        error,
        failures: this.failures,
        pending_events: this.options.pendingEvents(),
        retry_in_ms: retryInMs,
      });
      this.schedule(retryInMs);
    }
  }
}

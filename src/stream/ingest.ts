// Turns parsed SSE events into counted events, and tallies everything that was not counted.
import type { Logger } from "../log/logger.ts";
import { RateLimitedLog } from "../log/logger.ts";
import { COUNTED_BOT, NO_EVENT_TIME, REJECTED, REJECTIONS, utf8Text, type BatchVerdicts, type Rejection } from "../stats/classify.ts";
import { serverUrlFits, userFits } from "../stats/field-limits.ts";
import { emptyIngestCounters, type IngestCounters } from "../stats/ingest-counters.ts";
import type { ChangeEvent, CountSink } from "../stats/types.ts";
import { Classifier } from "./classifier.ts";
import type { EventSink } from "./source.ts";
import type { SseEvent } from "./sse-parser.ts";

/** The first `chars` chars of a binary string's text, for a log line (UTF-8 takes at most 4 bytes a char). */
function excerpt(binary: string, chars: number): string {
  return utf8Text(binary.slice(0, chars * 4)).slice(0, chars);
}

/** A chunk's events are classified together; a chunk with more is sent in batches of this many. */
const BATCH_EVENTS = 1024;
/** Events sent for classification but not yet counted, above which sources stop reading (backpressure). */
const MAX_QUEUED_EVENTS = 4096;
const EMPTY_VERDICTS: BatchVerdicts = { kinds: new Uint8Array(0), timesMs: new Float64Array(0), users: [], serverUrls: [], pages: [] };
const NO_VERDICTS = Promise.resolve(EMPTY_VERDICTS);

/**
 * Events are taken in on the thread that reads the stream and classified in batches on a worker,
 * or on this thread when a batch is small and the worker idle (src/stream/classifier.ts); verdicts
 * are applied in arrival order, and a batch's position is saved only after its events are counted,
 * so a flush never saves a position ahead of its counts.
 */
export class Ingest implements EventSink {
  readonly counters: IngestCounters = emptyIngestCounters();
  /** Event time of the last counted event that had one (its `meta.dt`), for the stream lag. */
  private lastEventMs: number | undefined;
  private readonly badLog: RateLimitedLog;
  private readonly classifier: Classifier;
  private payloads: string[] = [];
  private position = "";
  private submitScheduled = false;
  /** Resolves once every batch submitted so far is applied. */
  private applied: Promise<void> = Promise.resolve();
  /** Batches submitted and not yet applied, and the events in them. */
  private batchesInFlight = 0;
  private queued = 0;
  private readonly unblocked: (() => void)[] = [];

  constructor(
    private readonly store: CountSink,
    private readonly log: Logger,
  ) {
    this.badLog = new RateLimitedLog((msg, fields) => log.warn(msg, fields));
    this.classifier = new Classifier((error) =>
      log.error("classifier worker failed; classifying on the main thread from now on", { error }),
    );
  }

  /**
   * Takes one dispatched event; the stream position advances past it whatever its fate. The position
   * is the event's SSE id, or what the source passes instead (a replay's file offset). Its data is a
   * binary string: sources parse with SseParser's binaryData, and classifyBatch decodes what it keeps.
   */
  onEvent(event: SseEvent, position = event.lastEventId): void {
    if (event.type === "message") {
      this.payloads.push(event.data);
    } else if (event.type === "error") {
      this.counters.error_frames++;
      this.badLog.write("stream sent an error event", { data: excerpt(event.data, 500) });
    } else {
      this.counters.other_types++;
    }
    if (position !== "") this.position = position;
    if (this.payloads.length >= BATCH_EVENTS) this.submit();
    else if (!this.submitScheduled) {
      // After the source's synchronous work (one parsed chunk), so a chunk's events travel together.
      this.submitScheduled = true;
      queueMicrotask(() => this.submit());
    }
  }

  /** A promise to await before reading more when too many events wait to be counted, else undefined. */
  backpressure(): Promise<void> | undefined {
    if (this.queued < MAX_QUEUED_EVENTS) return undefined;
    return new Promise((resolve) => this.unblocked.push(resolve));
  }

  /** Resolves once every event taken so far is counted and its position set. */
  async drain(): Promise<void> {
    this.submit();
    await this.applied;
  }

  /** Counts what is still in flight on this thread and stops the worker. */
  async close(): Promise<void> {
    this.submit();
    this.classifier.close();
    await this.applied;
  }

  private submit(): void {
    this.submitScheduled = false;
    const payloads = this.payloads;
    const position = this.position;
    if (payloads.length === 0 && position === "") return;
    this.payloads = [];
    this.position = "";
    // With no batch ahead of it, a batch classified on this thread is counted now, order intact. At
    // the live pace that is every read, which so skips the promise turns of the queue below.
    if (this.batchesInFlight === 0) {
      const verdicts = payloads.length > 0 ? this.classifier.classifyHere(payloads) : EMPTY_VERDICTS;
      if (verdicts !== undefined) {
        this.applySafely(payloads, verdicts, position);
        return;
      }
    }
    this.batchesInFlight++;
    this.queued += payloads.length;
    const verdicts = payloads.length > 0 ? this.classifier.classify(payloads) : NO_VERDICTS;
    this.applied = this.applied
      .then(() => verdicts)
      .then((v) => {
        this.applySafely(payloads, v, position);
        this.batchesInFlight--;
        this.queued -= payloads.length;
        if (this.queued < MAX_QUEUED_EVENTS / 2) for (const resolve of this.unblocked.splice(0)) resolve();
      });
  }

  private applySafely(payloads: string[], verdicts: BatchVerdicts, position: string): void {
    try {
      this.apply(payloads, verdicts, position);
    } catch (error) {
      this.log.error("counting a batch of events failed", { error, events: payloads.length });
    }
  }

  private apply(payloads: string[], verdicts: BatchVerdicts, position: string): void {
    const { kinds, timesMs, users, serverUrls, pages } = verdicts;
    for (let i = 0; i < payloads.length; i++) {
      const kind = kinds[i]!;
      if (kind >= REJECTED) {
        this.reject(REJECTIONS[kind - REJECTED]!, payloads[i]!, position);
        continue;
      }
      const timeMs = timesMs[i]!;
      // An event at its arrival time says nothing of the stream's lag.
      if ((kind & NO_EVENT_TIME) === 0) this.lastEventMs = timeMs;
      else this.counters.no_event_time++;
      this.count({ timeMs, user: users[i], bot: (kind & COUNTED_BOT) !== 0, serverUrl: serverUrls[i], page: pages[i] }, position);
    }
    if (position !== "") this.store.setPosition(position);
  }

  /**
   * `meta.dt` of the last counted event that had an event time, for the stream lag, as eventTimeMs
   * reads it back (an ISO time to the millisecond); undefined before the first.
   */
  get lastCountedDt(): string | undefined {
    return this.lastEventMs === undefined ? undefined : new Date(this.lastEventMs).toISOString();
  }

  private count(verdict: ChangeEvent, position: string): void {
    this.counters.counted++;
    // Counted all the same: only the field that cannot be what it claims is left out.
    if (verdict.user !== undefined && !userFits(verdict.user)) {
      this.counters.invalid_user++;
      this.badLog.write("stream event's user is longer than 255 bytes; not counted as a user", {
        position,
        user: verdict.user.slice(0, 100),
      });
      verdict.user = undefined;
    }
    if (verdict.serverUrl !== undefined && !serverUrlFits(verdict.serverUrl)) {
      this.counters.invalid_server_url++;
      this.badLog.write("stream event's server_url is longer than 2 KiB; counted without one", {
        position,
        server_url: verdict.serverUrl.slice(0, 100),
      });
      verdict.serverUrl = undefined;
    }
    if (!this.store.add(verdict)) this.onServerUrlOverflow(verdict.serverUrl ?? "");
  }

  private reject(reason: Rejection, data: string, position: string): void {
    if (reason === "canary") {
      this.counters.canary++;
      return;
    }
    this.counters[reason]++;
    this.badLog.write("stream event skipped", { reason, position, data: excerpt(data, 200) });
  }

  /** Logged once per process: the tally tells how many more followed. */
  private onServerUrlOverflow(url: string): void {
    if (this.counters.server_url_overflow++ > 0) return;
    this.log.warn(
      "max_server_urls distinct server URLs reached; events of further server URLs count everywhere but by_server_url (tallied as server_url_overflow)",
      {
        server_url: url.slice(0, 200),
      },
    );
  }

  onIncomplete(): void {
    this.counters.incomplete++;
    this.badLog.write("stream closed inside an event; it was discarded and will be re-sent on resume", {});
  }

  onOversized(bytes: number): void {
    this.counters.oversized++;
    this.badLog.write("stream event larger than max_event_bytes discarded", { bytes });
  }

  onOversizedId(): void {
    this.counters.oversized_id++;
    this.badLog.write("stream event id longer than 1 KiB ignored; the position stays at the previous id", {});
  }
}

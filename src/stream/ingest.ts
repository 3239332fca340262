// Turns parsed SSE events into counted events, and tallies everything that was not counted.
import type { Logger } from "../log/logger.ts";
import { RateLimitedLog } from "../log/logger.ts";
import { classify } from "../stats/classify.ts";
import type { StatsStore } from "../store/stats-store.ts";
import type { SseEvent } from "./sse-parser.ts";

/** Everything the stream delivered, by outcome; served on /health. */
export interface IngestCounters {
  counted: number;
  canary: number;
  malformed: number;
  not_object: number;
  error_frames: number;
  other_types: number;
  incomplete: number;
  oversized: number;
}

export class Ingest {
  readonly counters: IngestCounters = {
    counted: 0, canary: 0, malformed: 0, not_object: 0, error_frames: 0, other_types: 0, incomplete: 0, oversized: 0,
  };
  /** `meta.dt` of the last counted event, for the stream lag (parsed only when asked for). */
  lastCountedDt: string | undefined;
  private readonly badLog: RateLimitedLog;

  constructor(private readonly store: StatsStore, log: Logger) {
    this.badLog = new RateLimitedLog((msg, fields) => log.warn(msg, fields));
  }

  /** Handles one dispatched event; the stream position advances past it whatever its fate. */
  onEvent(event: SseEvent): void {
    if (event.type === "message") {
      const verdict = classify(event.data);
      if (typeof verdict === "object") {
        this.counters.counted++;
        this.lastCountedDt = verdict.dt;
        this.store.add(verdict);
      } else if (verdict === "canary") {
        this.counters.canary++;
      } else {
        this.counters[verdict]++;
        this.badLog.write("stream event skipped", { reason: verdict, id: event.lastEventId, data: event.data.slice(0, 200) });
      }
    } else if (event.type === "error") {
      this.counters.error_frames++;
      this.badLog.write("stream sent an error event", { data: event.data.slice(0, 500) });
    } else {
      this.counters.other_types++;
    }
    if (event.lastEventId !== "") this.store.setPosition(event.lastEventId);
  }

  onIncomplete(): void {
    this.counters.incomplete++;
    this.badLog.write("stream closed inside an event; it was discarded and will be re-sent on resume", {});
  }

  onOversized(bytes: number): void {
    this.counters.oversized++;
    this.badLog.write("stream event larger than max_event_bytes discarded", { bytes });
  }
}

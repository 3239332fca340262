// Turns parsed SSE events into counted events, and tallies everything that was not counted.
import type { Logger } from "../log/logger.ts";
import { RateLimitedLog } from "../log/logger.ts";
import { classify, fitsUtf8, MAX_SERVER_URL_BYTES, MAX_USER_BYTES } from "../stats/classify.ts";
import type { StatsStore } from "../store/stats-store.ts";
import type { SseEvent } from "./sse-parser.ts";

/** Everything the stream delivered, by outcome; served on /health. The one object of ingest tallies. */
export interface IngestCounters {
  counted: number;
  canary: number;
  malformed: number;
  not_object: number;
  error_frames: number;
  other_types: number;
  incomplete: number;
  oversized: number;
  /** Ids over 1 KiB, ignored (their events count; the position stays at the previous id). */
  oversized_id: number;
  /** Counted events whose `user` was over 255 bytes, so not added to distinct_users. */
  invalid_user: number;
  /** Counted events whose `server_url` was over 2 KiB, so counted as having none. */
  invalid_server_url: number;
  /** Counted events left out of by_server_url because max_server_urls other URLs are kept. */
  server_url_overflow: number;
}

export function emptyIngestCounters(): IngestCounters {
  return {
    counted: 0, canary: 0, malformed: 0, not_object: 0, error_frames: 0, other_types: 0, incomplete: 0, oversized: 0,
    oversized_id: 0, invalid_user: 0, invalid_server_url: 0, server_url_overflow: 0,
  };
}

export class Ingest {
  readonly counters: IngestCounters = emptyIngestCounters();
  /** `meta.dt` of the last counted event, for the stream lag (parsed only when asked for). */
  lastCountedDt: string | undefined;
  private readonly badLog: RateLimitedLog;

  constructor(private readonly store: StatsStore, private readonly log: Logger) {
    this.badLog = new RateLimitedLog((msg, fields) => log.warn(msg, fields));
  }

  /**
   * Handles one dispatched event; the stream position advances past it whatever its fate. The position
   * is the event's SSE id, or what the source passes instead (a replay's file offset).
   */
  onEvent(event: SseEvent, position = event.lastEventId): void {
    if (event.type === "message") {
      const verdict = classify(event.data);
      if (typeof verdict === "object") {
        this.counters.counted++;
        this.lastCountedDt = verdict.dt;
        // Counted all the same: only the field that cannot be what it claims is left out.
        if (verdict.user !== undefined && !fitsUtf8(verdict.user, MAX_USER_BYTES)) {
          this.counters.invalid_user++;
          this.badLog.write("stream event's user is longer than 255 bytes; not counted as a user", { id: position, user: verdict.user.slice(0, 100) });
          verdict.user = undefined;
        }
        if (verdict.serverUrl !== undefined && !fitsUtf8(verdict.serverUrl, MAX_SERVER_URL_BYTES)) {
          this.counters.invalid_server_url++;
          this.badLog.write("stream event's server_url is longer than 2 KiB; counted without one", { id: position, server_url: verdict.serverUrl.slice(0, 100) });
          verdict.serverUrl = undefined;
        }
        if (!this.store.add(verdict)) this.onServerUrlOverflow(verdict.serverUrl ?? "");
      } else if (verdict === "canary") {
        this.counters.canary++;
      } else {
        this.counters[verdict]++;
        this.badLog.write("stream event skipped", { reason: verdict, id: position, data: event.data.slice(0, 200) });
      }
    } else if (event.type === "error") {
      this.counters.error_frames++;
      this.badLog.write("stream sent an error event", { data: event.data.slice(0, 500) });
    } else {
      this.counters.other_types++;
    }
    if (position !== "") this.store.setPosition(position);
  }

  /** Logged once per process: the tally tells how many more followed. */
  private onServerUrlOverflow(url: string): void {
    if (this.counters.server_url_overflow++ > 0) return;
    this.log.warn("max_server_urls distinct server URLs reached; events of further server URLs count everywhere but by_server_url (tallied as server_url_overflow)", {
      server_url: url.slice(0, 200),
    });
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

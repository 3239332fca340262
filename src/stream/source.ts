// What every stream source (live HTTP, recorded file) reports, how it is driven, and what it hands its events to.
import type { IngestCounters } from "../stats/ingest-counters.ts";
import type { SseEvent } from "./sse-parser.ts";

type StreamState = "idle" | "connecting" | "streaming" | "waiting" | "finished" | "stopped" | "disabled" | "standby";

export interface StreamStatus {
  state: StreamState;
  source: string;
  connections: number;
  lastError: string | undefined;
  lastEventAt: string | undefined;
  /** Delay before the next connection attempt, while waiting. */
  retryInMs: number | undefined;
}

export interface StreamSource {
  /** Consumes until stop() (HTTP) or the end of the capture (file). */
  run(): Promise<void>;
  stop(): Promise<void>;
  status(): StreamStatus;
}

/** The status of a source that has not started yet. */
export function idleStatus(source: string): StreamStatus {
  return { state: "idle", source, connections: 0, lastError: undefined, lastEventAt: undefined, retryInMs: undefined };
}

/** Takes a source's parsed events and counts them (Ingest); a source knows nothing of the counting rules. */
export interface EventSink {
  /** What became of the events taken so far; a replay logs them when it ends. */
  readonly counters: IngestCounters;
  /** One dispatched event; `position` is where the source resumes after it (the SSE id by default). */
  onEvent(event: SseEvent, position?: string): void;
  /** The connection closed inside an event, which was discarded. */
  onIncomplete(): void;
  /** An event over max_event_bytes was discarded. */
  onOversized(bytes: number): void;
  /** An id over the parser's limit was ignored. */
  onOversizedId(): void;
  /** A promise to await before reading more, when too many events wait to be counted. */
  backpressure(): Promise<void> | undefined;
  /** Resolves once every event taken so far is counted. */
  drain(): Promise<void>;
}

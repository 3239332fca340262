// What every stream source (live HTTP, recorded file) reports and how it is driven.

export type StreamState = "idle" | "connecting" | "streaming" | "waiting" | "finished" | "stopped" | "disabled" | "standby";

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

// The storage contract every backend (in-memory, Cassandra) implements and is tested against.
import type { WindowQueries } from "../windows/types.ts";
import type { ChangeEvent, Stats } from "../stats/types.ts";

export interface StoreHealth {
  /** True once the backend is reachable and its schema is in place. */
  ready: boolean;
  /** Events counted in memory but not yet durable in the backend (0 for in-memory). */
  pendingEvents: number;
  /** Last backend error, kept until the next success. */
  lastError: string | undefined;
}

export interface StatsStore {
  readonly kind: "in-memory" | "cassandra";
  /**
   * Connects and prepares the backend. Resolves once usable; a backend that is down keeps
   * retrying in the background and reports it through health(), so callers never block on it.
   */
  open(): Promise<void>;
  /**
   * Counts one accepted event. Synchronous: it is on the ingest hot path. Returns false when the event
   * counted everywhere but by_server_url, because max_server_urls other server URLs are kept already.
   */
  add(event: ChangeEvent): boolean;
  /** Records the stream position (SSE Last-Event-ID, or a replay's file offset) reached after every event added so far. */
  setPosition(lastEventId: string): void;
  /** The position to resume the stream from, if one was saved. */
  position(): Promise<string | undefined>;
  /** Current totals, including events not yet flushed. */
  stats(): Promise<Stats>;
  /** A number that changes whenever stats() would answer differently, so answers can be cached. */
  revision(): number;
  /** Makes everything added so far durable (no-op for in-memory). */
  flush(): Promise<void>;
  health(): StoreHealth;
  /** Flushes and releases connections. */
  close(): Promise<void>;
  /** Answers for ranges of event time; absent where the store keeps no windows (Cassandra, for now). */
  readonly windows?: WindowQueries;
  /** Reports each write to the backend (stores that write nothing have no such method). */
  observeFlushes?(observer: FlushObserver): void;
}

/** Told the duration of every flush, and whether it failed; feeds the store metrics. */
export type FlushObserver = (seconds: number, failed: boolean) => void;

// What the Cassandra store's health() reports: ready while Cassandra answers, the last error, what waits to be written.
import type { StoreHealth } from "../stats-store.ts";
import type { CassandraConnection } from "./connection.ts";
import type { FlushSchedule } from "./flush-schedule.ts";

/**
 * /ready turns 503 once flushes have failed, and Cassandra has not answered at all, for this long.
 * A node lost from a cluster makes the requests it leads time out for as long as the others take to
 * notice (about 20 s) while the rest are answered: Cassandra is reachable, and the replica should
 * stay in its load balancer.
 */
const NOT_READY_AFTER_MS = 10_000;

export class Readiness {
  /** When a statement of this store last succeeded. */
  private lastAnswer = 0;
  readonly answered = () => {
    this.lastAnswer = performance.now();
  };

  constructor(private readonly conn: CassandraConnection) {}

  /** `loaded`: the totals are read and flushes run; `pendingEvents`: events not yet durable. */
  report(flushes: Pick<FlushSchedule, "failingSince" | "lastError">, loaded: boolean, pendingEvents: number): StoreHealth {
    return {
      ready: this.conn.isReady && loaded && this.writing(flushes),
      pendingEvents,
      lastError: flushes.lastError ?? (this.conn.isReady ? undefined : this.conn.lastError),
    };
  }

  private writing({ failingSince }: Pick<FlushSchedule, "failingSince">): boolean {
    const now = performance.now();
    return failingSince === undefined || now - failingSince < NOT_READY_AFTER_MS || now - this.lastAnswer < NOT_READY_AFTER_MS;
  }
}

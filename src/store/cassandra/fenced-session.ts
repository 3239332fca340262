// What a flush writes through while an ingest lease decides whether this process may write (fencing).
import type cassandra from "cassandra-driver";
import { FlushOverrunError, LeaseLostError, type WriteGuard } from "../write-guard.ts";
import type { Session } from "./connection.ts";

/**
 * A flush starts only while the lease is valid for the whole flush window, and sends nothing after
 * half of it, so no write can reach Cassandra after another instance may hold the lease. Returns
 * that send deadline (no limit without a lease); refuses, telling the guard, when it may not start.
 */
export function flushDeadline(guard: WriteGuard | undefined): number {
  if (guard === undefined) return Infinity;
  if (guard.validForMs() < guard.flushWindowMs) {
    guard.fenced();
    throw new LeaseLostError(
      `the ingest lease is valid for ${Math.round(guard.validForMs())} ms, less than a flush may take (${guard.flushWindowMs} ms)`,
    );
  }
  return performance.now() + guard.flushWindowMs / 2;
}

/** The session a flush writes through: it refuses to send anything once the flush's share of the lease is used up. */
export function fencedSession(client: cassandra.Client, deadline: number, answered: () => void): Session {
  const check = () => {
    if (performance.now() > deadline)
      throw new FlushOverrunError("the flush ran past its share of the ingest lease; the rest is retried later");
  };
  const done = <T>(result: T) => (answered(), result);
  return {
    execute: async (query, params, options) => (check(), client.execute(query, params, options).then(done)),
    batch: async (queries, options) => (check(), client.batch(queries, options).then(done)),
  };
}

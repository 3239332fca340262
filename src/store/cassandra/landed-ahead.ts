// Counts whose counter writes landed in Cassandra while the stream position that covers them did not.
import type { Stats } from "../../stats/types.ts";
import { Delta } from "./delta.ts";

/** What a flush is about to send as counter updates: enough to tell, after a failure, which of them landed. */
export interface Sent {
  messages: number;
  bots: number;
  servers: Map<string, number>;
}

export function sentOf(delta: Delta): Sent {
  return { messages: delta.messages, bots: delta.bots, servers: new Map(delta.servers) };
}

/**
 * Adds to `into` the counts of `sent` that landed: what the counter writes moved out of `delta` (a
 * landed row's counts leave the delta, see counter-writes.ts). User counts are not among them: new
 * users have their own way back (see CassandraStore.discardPending).
 */
export function addLanded(into: Delta, sent: Sent, delta: Delta): void {
  into.messages += sent.messages - delta.messages;
  into.bots += sent.bots - delta.bots;
  for (const [url, n] of sent.servers) {
    if (!delta.servers.has(url)) into.servers.set(url, (into.servers.get(url) ?? 0) + n);
  }
}

/** The counter updates that take `landed` back out (counters accept negative increments). */
export function undoOf(landed: Delta): Delta {
  const undo = new Delta();
  undo.messages = -landed.messages;
  undo.bots = -landed.bots;
  for (const [url, n] of landed.servers) undo.servers.set(url, -n);
  return undo;
}

export function copyStats(stats: Stats): Stats {
  return { ...stats, by_server_url: { ...stats.by_server_url } };
}

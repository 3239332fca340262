// How many unmeasured events the bench has fed one Cassandra process, remembered across bench runs.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR } from "./common.ts";

/**
 * A Cassandra just started costs several times more CPU per event than one that has worked a while,
 * and its cost goes down unevenly, with ±30 % between runs, so no run-to-run test tells warm from
 * cold (two cold runs agreed at 16.6 and 18.1 µs after one at 8.5). Measured here on this workload:
 * 15–28 µs per event over its first million events, 7.4–10.6 after 1.2 million, 2.6–4.6 past two
 * million. So a Cassandra is measured once it has been fed this many events, by this run or earlier ones.
 */
export const WARM_EVENTS = 2_500_000;

const FILE = join(CACHE_DIR, "cassandra-fed.json");

interface Fed {
  /** processIdentity() of the Cassandra fed. */
  process: string;
  events: number;
}

/** Events fed so far to the Cassandra process `identity` (0 for one not seen before). */
export function fedEvents(identity: string, file = FILE): number {
  if (!existsSync(file)) return 0;
  try {
    const fed = JSON.parse(readFileSync(file, "utf8")) as Fed;
    return fed.process === identity && Number.isFinite(fed.events) ? fed.events : 0;
  } catch {
    return 0; // unreadable: as if new
  }
}

/** Adds `events` to what the Cassandra process `identity` was fed, and returns the new total. */
export function addFed(identity: string, events: number, file = FILE): number {
  const total = fedEvents(identity, file) + events;
  writeFileSync(file, JSON.stringify({ process: identity, events: total } satisfies Fed));
  return total;
}

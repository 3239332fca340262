// /stats/top: the counts per key over the range's hours, then the `limit` best kept in a small heap,
// so only keys that compete for a place cost a string comparison. The counts come the cheaper way:
// summed from the range's hour tables, or the retained totals less the hours outside the range.
import type { HourBucket } from "./buckets.ts";
import { BestKeys } from "./best-keys.ts";
import type { BucketIndex } from "./bucket-index.ts";
import type { IdCounts } from "./id-counts.ts";
import type { Interner } from "./interner.ts";
import type { KeyTotals } from "./key-totals.ts";
import { HOUR_MS, type TopBy, type TopItem } from "./types.ts";

const TABLES: Record<TopBy, (bucket: HourBucket) => IdCounts> = {
  user: (bucket) => bucket.users,
  page: (bucket) => bucket.pages,
  server_url: (bucket) => bucket.servers,
};

const SPACES: Record<TopBy, "users" | "pages" | "servers"> = { user: "users", page: "pages", server_url: "servers" };

/** The bot filter as weights, so the hot loops have no branch on it. */
interface Weights {
  bot: number;
  human: number;
}

export function topKeys(index: BucketIndex, by: TopBy, fromMs: number, toMs: number, limit: number, bot: boolean | undefined): TopItem[] {
  const interner = index.interners[SPACES[by]];
  const weights = { bot: bot === false ? 0 : 1, human: bot === true ? 0 : 1 };
  const inside: IdCounts[] = [];
  const outside: IdCounts[] = [];
  let insideEntries = 0;
  let outsideEntries = 0;
  for (const [hour, bucket] of index.hours) {
    const table = TABLES[by](bucket);
    if (hour >= fromMs / HOUR_MS && hour < toMs / HOUR_MS) {
      inside.push(table);
      insideEntries += table.size;
    } else {
      outside.push(table);
      outsideEntries += table.size;
    }
  }
  if (outsideEntries < insideEntries) return fromTotals(index.totals[SPACES[by]], outside, weights, limit, interner);
  return fromTables(index, inside, weights, limit, interner);
}

function fromTables(index: BucketIndex, tables: IdCounts[], weights: Weights, limit: number, interner: Interner): TopItem[] {
  const { tallies } = index;
  tallies.begin(interner.capacity);
  const { bot: wb, human: wh } = weights;
  for (const table of tables) {
    const { ids, bots, humans } = table;
    for (let i = 0; i < table.size; i++) {
      const count = wb * bots[i]! + wh * humans[i]!;
      if (count > 0) tallies.add(ids[i]!, count);
    }
  }
  const best = new BestKeys(limit, interner);
  const { counts, touched } = tallies;
  let floor = 1;
  for (let i = 0; i < tallies.size; i++) {
    const id = touched[i]!;
    const count = counts[id]!;
    if (count >= floor) floor = best.offer(id, count);
  }
  tallies.clear();
  return best.items();
}

/**
 * The totals less the hours outside the range, read in one pass. The hours are taken out of the
 * totals for the pass and put back after it: queries and add() run on one thread, so nothing sees
 * the totals meanwhile, and no scratch array of a whole key space has to be filled first.
 */
function fromTotals(totals: KeyTotals, outside: IdCounts[], weights: Weights, limit: number, interner: Interner): TopItem[] {
  for (const table of outside) totals.subtract(table);
  try {
    const n = Math.min(interner.capacity, totals.bots.length);
    const { bots, humans } = totals;
    const { bot: wb, human: wh } = weights;
    const best = new BestKeys(limit, interner);
    let floor = 1;
    for (let id = 0; id < n; id++) {
      const count = wb * bots[id]! + wh * humans[id]!;
      if (count >= floor) floor = best.offer(id, count);
    }
    return best.items();
  } finally {
    for (const table of outside) totals.addBack(table);
  }
}

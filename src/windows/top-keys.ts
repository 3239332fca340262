// /stats/top: the counts per key over the range's hours, then the `limit` best kept in a small heap,
// so only keys that compete for a place cost a string comparison. The counts come the cheaper way:
// summed from the range's hour tables, or the retained totals less the hours outside the range.
import type { HourBucket } from "./buckets.ts";
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

/** The `limit` ids with the highest counts, ties by key in code-point order: a min-heap, worst at the root. */
class BestKeys {
  private readonly ids: number[] = [];
  private readonly counts: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly interner: Interner,
  ) {}

  /**
   * Considers `id` with its count (> 0); returns the count below which no id can get a place any
   * more (1 while there is room), so the caller skips those without a call.
   */
  offer(id: number, count: number): number {
    const { ids, counts } = this;
    if (ids.length < this.limit) {
      ids.push(id);
      counts.push(count);
      this.up(ids.length - 1);
      if (ids.length < this.limit) return 1;
    } else if (this.better(id, count, ids[0]!, counts[0]!)) {
      ids[0] = id;
      counts[0] = count;
      this.down(0);
    }
    return counts[0]!;
  }

  /** Best first. */
  items(): TopItem[] {
    return this.ids
      .map((id, i) => ({ id, count: this.counts[i]! }))
      .sort((a, b) => (this.better(a.id, a.count, b.id, b.count) ? -1 : 1))
      .map(({ id, count }) => ({ key: this.interner.key(id), count }));
  }

  private better(a: number, ca: number, b: number, cb: number): boolean {
    if (ca !== cb) return ca > cb;
    return this.interner.key(a) < this.interner.key(b);
  }

  /** Whether the entry at i is better than the one at j. */
  private betterAt(i: number, j: number): boolean {
    return this.better(this.ids[i]!, this.counts[i]!, this.ids[j]!, this.counts[j]!);
  }

  private swap(i: number, j: number): void {
    const { ids, counts } = this;
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    [counts[i], counts[j]] = [counts[j]!, counts[i]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.betterAt(parent, i)) break;
      this.swap(parent, i);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.ids.length;
    for (;;) {
      let worst = i;
      const left = 2 * i + 1;
      const right = left + 1;
      if (left < n && this.betterAt(worst, left)) worst = left;
      if (right < n && this.betterAt(worst, right)) worst = right;
      if (worst === i) return;
      this.swap(worst, i);
      i = worst;
    }
  }
}

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
  if (outsideEntries < insideEntries) return fromTotals(index, index.totals[SPACES[by]], outside, weights, limit, interner);
  return fromTables(index, inside, weights, limit, interner);
}

function fromTables(index: BucketIndex, tables: IdCounts[], weights: Weights, limit: number, interner: Interner): TopItem[] {
  const { tallies } = index;
  tallies.begin(interner.capacity);
  for (const table of tables) {
    const { ids, bots, humans } = table;
    for (let i = 0; i < table.size; i++) {
      const count = weights.bot * bots[i]! + weights.human * humans[i]!;
      if (count > 0) tallies.add(ids[i]!, count);
    }
  }
  const best = new BestKeys(limit, tallies.counts, interner);
  const { counts, touched } = tallies;
  let floor = 0;
  for (let i = 0; i < tallies.size; i++) {
    const id = touched[i]!;
    if (counts[id]! >= floor) floor = best.offer(id);
  }
  const items = best.items();
  tallies.clear();
  return items;
}

function fromTotals(
  index: BucketIndex,
  totals: KeyTotals,
  outside: IdCounts[],
  weights: Weights,
  limit: number,
  interner: Interner,
): TopItem[] {
  const n = Math.min(interner.capacity, totals.bots.length);
  const counts = index.dense.take(n);
  const { bots, humans } = totals;
  for (let id = 0; id < n; id++) counts[id] = weights.bot * bots[id]! + weights.human * humans[id]!;
  for (const table of outside) {
    const { ids, bots: b, humans: h } = table;
    for (let i = 0; i < table.size; i++) counts[ids[i]!]! -= weights.bot * b[i]! + weights.human * h[i]!;
  }
  const best = new BestKeys(limit, counts, interner);
  let floor = 1;
  for (let id = 0; id < n; id++) if (counts[id]! >= floor) floor = Math.max(1, best.offer(id));
  return best.items();
}

/** The `limit` ids with the highest counts, ties by key in code-point order: a min-heap, worst at the root. */
class BestKeys {
  private readonly heap: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly counts: Float64Array | Uint32Array,
    private readonly interner: Interner,
  ) {}

  /**
   * Considers `id`; returns the count below which no id can get a place any more (0 while there is
   * room), so the caller skips those without a call.
   */
  offer(id: number): number {
    const heap = this.heap;
    if (heap.length < this.limit) {
      heap.push(id);
      this.up(heap.length - 1);
      if (heap.length < this.limit) return 0;
    } else if (this.better(id, heap[0]!)) {
      heap[0] = id;
      this.down(0);
    }
    return this.counts[heap[0]!]!;
  }

  /** Best first. */
  items(): TopItem[] {
    return [...this.heap]
      .sort((a, b) => (this.better(a, b) ? -1 : 1))
      .map((id) => ({ key: this.interner.key(id), count: this.counts[id]! }));
  }

  private better(a: number, b: number): boolean {
    const ca = this.counts[a]!;
    const cb = this.counts[b]!;
    if (ca !== cb) return ca > cb;
    return this.interner.key(a) < this.interner.key(b);
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(heap[parent]!, heap[i]!)) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      let worst = i;
      const left = 2 * i + 1;
      const right = left + 1;
      if (left < heap.length && this.better(heap[worst]!, heap[left]!)) worst = left;
      if (right < heap.length && this.better(heap[worst]!, heap[right]!)) worst = right;
      if (worst === i) return;
      [heap[worst], heap[i]] = [heap[i]!, heap[worst]!];
      i = worst;
    }
  }
}

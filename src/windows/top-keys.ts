// /stats/top: counts per key summed over the range's hour buckets into one array indexed by id,
// then the `limit` best kept in a small heap, so only keys that compete for a place cost a string
// comparison.
import type { HourBucket } from "./buckets.ts";
import { pushPresent, type BucketIndex } from "./bucket-index.ts";
import type { IdCounts } from "./id-counts.ts";
import type { Interner } from "./interner.ts";
import { HOUR_MS, type TopBy, type TopItem } from "./types.ts";

const TABLES: Record<TopBy, (bucket: HourBucket) => IdCounts> = {
  user: (bucket) => bucket.users,
  page: (bucket) => bucket.pages,
  server_url: (bucket) => bucket.servers,
};

export function topKeys(index: BucketIndex, by: TopBy, fromMs: number, toMs: number, limit: number, bot: boolean | undefined): TopItem[] {
  const interner = by === "user" ? index.interners.users : by === "page" ? index.interners.pages : index.interners.servers;
  const { tallies } = index;
  // The bot filter as weights, so the hot loop has no branch on it.
  const botWeight = bot === false ? 0 : 1;
  const humanWeight = bot === true ? 0 : 1;
  const hours: HourBucket[] = [];
  pushPresent(hours, index.hours, fromMs / HOUR_MS, toMs / HOUR_MS);
  tallies.begin(interner.capacity);
  for (const hour of hours) {
    const table = TABLES[by](hour);
    const { ids, bots, humans } = table;
    for (let i = 0; i < table.size; i++) {
      const count = botWeight * bots[i]! + humanWeight * humans[i]!;
      if (count > 0) tallies.add(ids[i]!, count);
    }
  }
  const best = new BestKeys(limit, tallies.counts, interner);
  for (let i = 0; i < tallies.size; i++) best.offer(tallies.touched[i]!);
  const items = best.sorted().map((id) => ({ key: interner.key(id), count: tallies.counts[id]! }));
  tallies.clear();
  return items;
}

/** The `limit` ids with the highest counts, ties by key in code-point order: a min-heap, worst at the root. */
class BestKeys {
  private readonly heap: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly counts: Float64Array,
    private readonly interner: Interner,
  ) {}

  offer(id: number): void {
    const heap = this.heap;
    if (heap.length < this.limit) {
      heap.push(id);
      this.up(heap.length - 1);
    } else if (this.better(id, heap[0]!)) {
      heap[0] = id;
      this.down(0);
    }
  }

  /** Best first. */
  sorted(): number[] {
    return [...this.heap].sort((a, b) => (this.better(a, b) ? -1 : 1));
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

// The `limit` best keys of a count: a heap of that size, so a key that cannot get a place costs one
// comparison of counts, and only ties with the worst kept key cost a string comparison.
import type { Interner } from "./interner.ts";
import type { TopItem } from "./types.ts";

/** The `limit` ids with the highest counts, ties by key in code-point order: a min-heap, worst at the root. */
export class BestKeys {
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

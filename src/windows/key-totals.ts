// Events per id over every retained hour, bot and human apart. Top over most of the retained hours
// (a day's top in a day's retention, the common question) starts from these and takes away the few
// hours outside the range: one pass over a flat array instead of summing every hour's table into one
// with a random access per entry, which is what costs over a day's million and a half pages.
import type { IdCounts } from "./id-counts.ts";

export class KeyTotals {
  bots = new Uint32Array(1024);
  humans = new Uint32Array(1024);

  count(id: number, bot: boolean): void {
    if (id >= this.bots.length) this.grow(id + 1);
    if (bot) this.bots[id]!++;
    else this.humans[id]!++;
  }

  /** An hour is dropped (or a query leaves it out for a moment): its counts leave the totals. */
  subtract(table: IdCounts): void {
    const { ids, bots, humans } = table;
    for (let i = 0; i < table.size; i++) {
      this.bots[ids[i]!]! -= bots[i]!;
      this.humans[ids[i]!]! -= humans[i]!;
    }
  }

  /** The inverse of subtract(): a query that took an hour out puts it back. */
  addBack(table: IdCounts): void {
    const { ids, bots, humans } = table;
    for (let i = 0; i < table.size; i++) {
      this.bots[ids[i]!]! += bots[i]!;
      this.humans[ids[i]!]! += humans[i]!;
    }
  }

  private grow(needed: number): void {
    let size = this.bots.length * 2;
    while (size < needed) size *= 2;
    const bots = new Uint32Array(size);
    bots.set(this.bots);
    const humans = new Uint32Array(size);
    humans.set(this.humans);
    this.bots = bots;
    this.humans = humans;
  }
}

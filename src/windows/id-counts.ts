// Events per interned id in one bucket, bot and human apart (top's bot filter reads either or both),
// and for a server the distinct users it had in the bucket (series narrowed to one wiki).
import { grown } from "./hash.ts";
import { IdSet } from "./id-set.ts";

export class IdCounts extends IdSet {
  bots: Uint32Array;
  humans: Uint32Array;
  /** Distinct users per member; only the servers tables fill it. */
  users: Uint32Array;

  constructor(capacity = 4) {
    super(capacity);
    this.bots = new Uint32Array(capacity);
    this.humans = new Uint32Array(capacity);
    this.users = new Uint32Array(capacity);
  }

  /** Counts one event of `id`; the member index. */
  count(id: number, bot: boolean): number {
    const index = this.add(id);
    if (bot) this.bots[index]!++;
    else this.humans[index]!++;
    return index;
  }

  protected override grow(capacity: number): void {
    super.grow(capacity);
    // Only add() grows, never the base constructor, so the columns exist by then.
    this.bots = grown(this.bots, new Uint32Array(capacity));
    this.humans = grown(this.humans, new Uint32Array(capacity));
    this.users = grown(this.users, new Uint32Array(capacity));
  }
}

// Events per interned id in one bucket, bot and human apart: top's bot filter reads either or both.
import { copied } from "./hash.ts";
import { IdSet } from "./id-set.ts";

export class IdCounts extends IdSet {
  bots: Uint32Array;
  humans: Uint32Array;

  constructor(capacity = 4) {
    super(capacity);
    this.bots = new Uint32Array(capacity);
    this.humans = new Uint32Array(capacity);
  }

  /** Counts one event of `id`; the member index. */
  count(id: number, bot: boolean): number {
    const index = this.add(id);
    if (bot) this.bots[index]!++;
    else this.humans[index]!++;
    return index;
  }

  protected override resize(capacity: number): void {
    super.resize(capacity);
    // Only add() and freeze() resize, never the constructor, so the columns exist by then.
    this.bots = copied(this.bots, new Uint32Array(capacity), this.size);
    this.humans = copied(this.humans, new Uint32Array(capacity), this.size);
  }
}

/** A bucket's servers: also each one's distinct users in the bucket (a series narrowed to one wiki). */
export class ServerCounts extends IdCounts {
  users: Uint32Array;

  constructor(capacity = 4) {
    super(capacity);
    this.users = new Uint32Array(capacity);
  }

  protected override resize(capacity: number): void {
    super.resize(capacity);
    this.users = copied(this.users, new Uint32Array(capacity), this.size);
  }
}

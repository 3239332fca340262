// A set of interned ids in flat typed arrays: the members are kept dense (ids[0..size)), so a query
// walks them without skipping empty slots, and the hash slots only point into them. No per-member
// objects: a day of buckets holds millions of members, and the garbage collector traces none of them.
import { grown, mixId } from "./hash.ts";

const EMPTY = 0;

export class IdSet {
  size = 0;
  /** The members, in the order they were added. */
  ids: Uint32Array;
  /** Open addressing, linear probing: member index + 1, or EMPTY; twice the members' capacity. */
  private slots: Int32Array;

  constructor(capacity = 4) {
    this.ids = new Uint32Array(capacity);
    this.slots = new Int32Array(capacity * 2);
  }

  /** The member index of `id`, or -1. */
  indexOf(id: number): number {
    const mask = this.slots.length - 1;
    for (let slot = mixId(id) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === EMPTY) return -1;
      if (this.ids[entry - 1] === id) return entry - 1;
    }
  }

  /** The member index of `id`, added when missing (size then grows by one). */
  add(id: number): number {
    const mask = this.slots.length - 1;
    let slot = mixId(id) & mask;
    for (; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === EMPTY) break;
      if (this.ids[entry - 1] === id) return entry - 1;
    }
    const index = this.size++;
    this.ids[index] = id;
    this.slots[slot] = index + 1;
    if (this.size === this.ids.length) this.grow(this.ids.length * 2);
    return index;
  }

  /** Room for `capacity` members; subclasses grow their columns alongside. */
  protected grow(capacity: number): void {
    this.ids = grown(this.ids, new Uint32Array(capacity));
    const slots = new Int32Array(capacity * 2);
    const mask = slots.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = mixId(this.ids[index]!) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
  }
}

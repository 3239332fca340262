// A set of interned ids in flat typed arrays: the members are kept dense (ids[0..size)), so a query
// walks them without skipping empty slots, and the hash slots only point into them. No per-member
// objects: a day of buckets holds millions of members, and the garbage collector traces none of them.
// A bucket past taking events is frozen: its slots and spare room go, about two thirds of its bytes;
// a late event thaws it.
import { copied, mixId, slotsFor } from "./hash.ts";

const EMPTY = 0;

export class IdSet {
  size = 0;
  /** The members, in the order they were added. */
  ids: Uint32Array;
  /** Open addressing, linear probing: member index + 1, or EMPTY; at most half full. Undefined when frozen. */
  private slots: Int32Array | undefined;

  constructor(capacity = 4) {
    this.ids = new Uint32Array(capacity);
    this.slots = new Int32Array(slotsFor(capacity));
  }

  /** The member index of `id`, or -1. */
  indexOf(id: number): number {
    const slots = this.slots;
    if (slots === undefined) return this.ids.subarray(0, this.size).indexOf(id);
    const mask = slots.length - 1;
    for (let slot = mixId(id) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]!;
      if (entry === EMPTY) return -1;
      if (this.ids[entry - 1] === id) return entry - 1;
    }
  }

  /** The member index of `id`, added when missing (size then grows by one). */
  add(id: number): number {
    const slots = this.slots ?? this.thaw();
    const mask = slots.length - 1;
    let slot = mixId(id) & mask;
    for (; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]!;
      if (entry === EMPTY) break;
      if (this.ids[entry - 1] === id) return entry - 1;
    }
    const index = this.size++;
    this.ids[index] = id;
    slots[slot] = index + 1;
    if (this.size === this.ids.length) {
      this.resize(this.ids.length * 2);
      this.rehash();
    }
    return index;
  }

  /** Keeps the members in arrays of their exact size and drops the slots. */
  freeze(): void {
    if (this.slots === undefined) return;
    this.slots = undefined;
    this.resize(this.size);
  }

  /** Room for `capacity` members (at least size); subclasses resize their columns alongside. */
  protected resize(capacity: number): void {
    this.ids = copied(this.ids, new Uint32Array(capacity), this.size);
  }

  private thaw(): Int32Array {
    this.resize(Math.max(4, this.size * 2));
    return this.rehash();
  }

  private rehash(): Int32Array {
    const slots = new Int32Array(slotsFor(this.ids.length));
    const mask = slots.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = mixId(this.ids[index]!) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    return (this.slots = slots);
  }
}

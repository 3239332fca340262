// An exact set of strings in a few flat typed arrays: a fraction of the memory of a Set<string> of
// short user names, and no per-string heap objects for the garbage collector to trace.

const EMPTY = 0;

export class StringSet {
  /** UTF-16 code units of every member, back to back. */
  private units = new Uint16Array(1 << 16);
  private used = 0;
  /** Per member: where its code units start, how many there are, and its hash. */
  private starts = new Uint32Array(1 << 12);
  private lengths = new Uint32Array(1 << 12);
  private hashes = new Int32Array(1 << 12);
  /** Open addressing, linear probing: member index + 1, or EMPTY. Kept at most half full. */
  private slots = new Uint32Array(1 << 13);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(value: string): boolean {
    return this.slots[this.find(value, hash(value))] !== EMPTY;
  }

  /** Adds `value`; true when it was not a member yet. */
  add(value: string): boolean {
    const h = hash(value);
    const slot = this.find(value, h);
    if (this.slots[slot] !== EMPTY) return false;
    if (this.count === this.starts.length) this.growMembers();
    if (this.used + value.length > this.units.length) this.growUnits(value.length);
    const index = this.count++;
    this.starts[index] = this.used;
    this.lengths[index] = value.length;
    this.hashes[index] = h;
    for (let i = 0; i < value.length; i++) this.units[this.used + i] = value.charCodeAt(i);
    this.used += value.length;
    this.slots[slot] = index + 1;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return true;
  }

  private find(value: string, h: number): number {
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === EMPTY) return slot;
      const index = entry - 1;
      if (this.hashes[index] === h && this.equals(index, value)) return slot;
    }
  }

  private equals(index: number, value: string): boolean {
    if (this.lengths[index] !== value.length) return false;
    const start = this.starts[index]!;
    for (let i = 0; i < value.length; i++) if (this.units[start + i] !== value.charCodeAt(i)) return false;
    return true;
  }

  private rehash(size: number): void {
    const slots = new Uint32Array(size);
    const mask = size - 1;
    for (let index = 0; index < this.count; index++) {
      let slot = this.hashes[index]! & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
  }

  private growMembers(): void {
    const size = this.starts.length * 2;
    this.starts = grown(this.starts, new Uint32Array(size));
    this.lengths = grown(this.lengths, new Uint32Array(size));
    this.hashes = grown(this.hashes, new Int32Array(size));
  }

  private growUnits(needed: number): void {
    let size = this.units.length * 2;
    while (size < this.used + needed) size *= 2;
    this.units = grown(this.units, new Uint16Array(size));
  }
}

function grown<T extends Uint16Array | Uint32Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** FNV-1a over UTF-16 code units, finished with a murmur3 mix so linear probing spreads well. */
function hash(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

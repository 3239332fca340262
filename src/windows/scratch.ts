// Work arrays the queries reuse, indexed by interned id: a union of buckets' user sets is one stamp
// per id instead of a Set built per query, and summing counts over buckets is one slot per id.

/** Distinct ids across several buckets: mark() is true the first time an id is seen since begin(). */
export class Marks {
  private stamps = new Uint32Array(1024);
  private stamp = 0;

  /** Starts a new union over ids below `capacity`. */
  begin(capacity: number): void {
    if (capacity > this.stamps.length) this.stamps = new Uint32Array(Math.max(capacity, this.stamps.length * 2));
    if (++this.stamp === 0xffff_ffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }

  mark(id: number): boolean {
    if (this.stamps[id] === this.stamp) return false;
    this.stamps[id] = this.stamp;
    return true;
  }
}

/** Counts per id summed over buckets, and the ids that got any, in the order they first did. */
export class Tallies {
  counts = new Float64Array(1024);
  touched = new Uint32Array(1024);
  size = 0;

  /** Starts a new sum over ids below `capacity`; the previous one must have been cleared. */
  begin(capacity: number): void {
    if (capacity > this.counts.length) this.counts = new Float64Array(Math.max(capacity, this.counts.length * 2));
    this.size = 0;
  }

  add(id: number, count: number): void {
    if (this.counts[id] === 0) {
      if (this.size === this.touched.length) {
        const touched = new Uint32Array(this.touched.length * 2);
        touched.set(this.touched);
        this.touched = touched;
      }
      this.touched[this.size++] = id;
    }
    this.counts[id]! += count;
  }

  /** Zeroes the counts touched, ready for the next begin(). */
  clear(): void {
    for (let i = 0; i < this.size; i++) this.counts[this.touched[i]!] = 0;
    this.size = 0;
  }
}

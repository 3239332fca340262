// Integer hashing and array sizing shared by the id tables: ids are small dense integers, so they
// need a mix before linear probing, or consecutive ids would fill consecutive slots.

/** A 32-bit integer mix (lowbias32): every input bit moves about half the output bits. */
export function mixId(id: number): number {
  let h = id ^ (id >>> 16);
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  return h ^ (h >>> 16);
}

export function mixPair(a: number, b: number): number {
  return mixId(Math.imul(a, 0x9e3779b1) ^ b);
}

/** Hash slots for `capacity` members: a power of two, so they stay at most half full. */
export function slotsFor(capacity: number): number {
  let size = 8;
  while (size < capacity * 2) size *= 2;
  return size;
}

/** The first `count` values of `from` at the start of `to`. */
export function copied<T extends Uint32Array>(from: T, to: T, count: number): T {
  to.set(from.subarray(0, count));
  return to;
}

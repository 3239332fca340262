// Integer hashing and array growth shared by the id tables: ids are small dense integers, so they
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

/** `from`'s contents at the start of a new, larger array of the same kind. */
export function grown<T extends Uint32Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

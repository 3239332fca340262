// Strings (user names, page URIs, server URLs) as small integer ids, so buckets hold 4-byte ids
// instead of strings and the queries count into arrays indexed by id. Each id counts the buckets that
// hold it; when the last of them is dropped the string is forgotten and its id reused, so the
// dictionary holds what the retained windows name, not everything ever seen.
export class Interner {
  private readonly byKey = new Map<string, number>();
  private keys: (string | undefined)[] = [];
  private refs = new Uint32Array(1024);
  private readonly free: number[] = [];

  /** Strings known now. */
  get size(): number {
    return this.byKey.size;
  }

  /** One more than the largest id handed out: the length an array indexed by id needs. */
  get capacity(): number {
    return this.keys.length;
  }

  /** The id of `key`, interned when new; it stays known only once a bucket holds it (ref). */
  intern(key: string): number {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const id = this.free.pop() ?? this.keys.length;
    if (id === this.keys.length) this.keys.push(key);
    else this.keys[id] = key;
    if (id >= this.refs.length) {
      const refs = new Uint32Array(this.refs.length * 2);
      refs.set(this.refs);
      this.refs = refs;
    }
    this.byKey.set(key, id);
    return id;
  }

  /** The id of `key` if it is known, without interning it. */
  lookup(key: string): number | undefined {
    return this.byKey.get(key);
  }

  key(id: number): string {
    return this.keys[id]!;
  }

  /** One more bucket holds `id`. */
  ref(id: number): void {
    this.refs[id]!++;
  }

  /** A bucket holding `id` was dropped; the last one forgets the string. */
  unref(id: number): void {
    if (--this.refs[id]! !== 0) return;
    this.byKey.delete(this.keys[id]!);
    this.keys[id] = undefined;
    this.free.push(id);
  }
}

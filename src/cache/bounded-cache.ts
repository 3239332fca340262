// The one bounded cache: at most `maxSize` entries, the least recently set forgotten first, each entry
// optionally expiring. Every cache and per-client record uses it, so a flood of distinct keys cannot
// grow memory without bound, and all of them evict the same way.

interface BoundedCacheOptions {
  maxSize: number;
  /** Entries expire this long after they were set, unless set() gives their own expiry. */
  ttlMs?: number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  /** Epoch ms after which the entry is gone; Infinity for none. */
  expiresAt: number;
}

export class BoundedCache<K, V> {
  // A Map keeps insertion order, so its first key is always the least recently set.
  private readonly entries = new Map<K, Entry<V>>();
  private readonly now: () => number;

  constructor(private readonly options: BoundedCacheOptions) {
    if (!(options.maxSize >= 1)) throw new RangeError(`BoundedCache maxSize must be at least 1, got ${options.maxSize}`);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get maxSize(): number {
    return this.options.maxSize;
  }

  /** The live value of `key`; an expired entry is dropped and reads as absent. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Sets `key` as the most recent entry, then forgets the oldest beyond maxSize. `expiresAt` (epoch ms)
   * overrides the ttl, for values that carry their own end (a token's `exp`). Returns the keys evicted
   * for room, so a caller that promised completeness knows it no longer holds.
   */
  set(key: K, value: V, expiresAt?: number): number {
    const ttl = this.options.ttlMs;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: expiresAt ?? (ttl === undefined ? Number.POSITIVE_INFINITY : this.now() + ttl) });
    let evicted = 0;
    while (this.entries.size > this.options.maxSize) {
      this.entries.delete(this.entries.keys().next().value as K);
      evicted++;
    }
    return evicted;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Live keys, oldest first. */
  *keys(): IterableIterator<K> {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt > now) yield key;
  }
}

// A Map that holds at most `maxSize` entries, forgetting the least recently set first: caches and
// per-client records that a flood of distinct keys must not grow without bound.

export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly maxSize: number) {
    super();
  }

  /** Sets `key` as the most recent entry (Map keeps insertion order), then evicts the oldest beyond maxSize. */
  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    while (this.size > this.maxSize) super.delete(super.keys().next().value!);
    return this;
  }
}

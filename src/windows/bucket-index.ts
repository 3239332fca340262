// What the queries read: the retained buckets by index (epoch ms / bucket size), the interners that
// name their ids, and the work arrays one query at a time reuses.
import type { Bucket, HourBucket, Interners, MinuteBucket } from "./buckets.ts";
import type { KeyTotals } from "./key-totals.ts";
import type { Marks, Tallies } from "./scratch.ts";
import { HOUR_MS, MINUTE_MS } from "./types.ts";

export interface BucketIndex {
  minutes: Map<number, MinuteBucket>;
  hours: Map<number, HourBucket>;
  interners: Interners;
  /** Per key space, the counts of every retained hour summed. */
  totals: { users: KeyTotals; pages: KeyTotals; servers: KeyTotals };
  marks: Marks;
  tallies: Tallies;
}

/**
 * The retained buckets that exactly cover [fromMs, toMs) (whole minutes): the whole hours inside it
 * as hour buckets, the minutes before the first and after the last of them as minute buckets.
 */
export function coveringBuckets(index: BucketIndex, fromMs: number, toMs: number): Bucket[] {
  const firstHour = Math.ceil(fromMs / HOUR_MS);
  const endHour = Math.floor(toMs / HOUR_MS);
  const found: Bucket[] = [];
  if (firstHour >= endHour) {
    pushPresent(found, index.minutes, fromMs / MINUTE_MS, toMs / MINUTE_MS);
    return found;
  }
  pushPresent(found, index.minutes, fromMs / MINUTE_MS, (firstHour * HOUR_MS) / MINUTE_MS);
  pushPresent(found, index.hours, firstHour, endHour);
  pushPresent(found, index.minutes, (endHour * HOUR_MS) / MINUTE_MS, toMs / MINUTE_MS);
  return found;
}

/** The buckets of `map` with from <= index < to, in no promised order. */
export function pushPresent<B>(into: B[], map: Map<number, B>, from: number, to: number): void {
  // A range can reach far beyond what is kept (a replay's windows, a query of the far past): walk
  // the kept buckets instead of every index when there are fewer of them.
  if (to - from > map.size) {
    for (const [i, bucket] of map) if (i >= from && i < to) into.push(bucket);
    return;
  }
  for (let i = from; i < to; i++) {
    const bucket = map.get(i);
    if (bucket !== undefined) into.push(bucket);
  }
}

/**
 * Calls `each` on the buckets with done <= index < below; returns the new `done`. Indexes advance
 * with the newest event, so each is visited once; after a jump (a replay resumed years later) the
 * kept buckets are walked instead, when there are fewer of them.
 */
export function walkBelow<B>(buckets: Map<number, B>, below: number, done: number, each: (i: number, bucket: B) => void): number {
  if (below <= done) return done;
  if (below - done > buckets.size) {
    for (const [i, bucket] of buckets) if (i < below && i >= done) each(i, bucket);
  } else
    for (let i = done; i < below; i++) {
      const bucket = buckets.get(i);
      if (bucket !== undefined) each(i, bucket);
    }
  return below;
}

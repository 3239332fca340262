// The in-memory window index: every counted event lands in its minute bucket and its hour bucket,
// and the queries answer exactly from them. Retention counts back from the newest event time seen,
// not from the clock, so a replayed capture keeps its windows however old it is.
//
// Exact means: for a range that starts at or after newestEventMs() − retentionMs, every event in it
// was added (none that new is refused) and none of its buckets was dropped (only buckets that end at
// or before that cutoff are). A range reaching further back gets whatever older buckets remain.
import type { Stats } from "../stats/types.ts";
import { type BucketIndex, walkBelow } from "./bucket-index.ts";
import { type Bucket, type EventIds, HourBucket, MinuteBucket } from "./buckets.ts";
import { Interner } from "./interner.ts";
import { rangeStats } from "./range-stats.ts";
import { KeyTotals } from "./key-totals.ts";
import { Marks, Tallies } from "./scratch.ts";
import { series } from "./series.ts";
import { topKeys } from "./top-keys.ts";
import { HOUR_MS, MINUTE_MS, type SeriesCounts, type TopBy, type TopItem, type WindowEvent, type WindowQueries } from "./types.ts";

/**
 * How long after a bucket ends it is frozen. Most late events come within seconds; one that comes
 * later thaws its bucket's tables, which then stay thawed (the bucket costs what it did before).
 */
const FREEZE_AFTER_MS = 2 * MINUTE_MS;

export class MemoryWindows implements WindowQueries {
  readonly retentionMs: number;
  /** Events not added: older than newestEventMs() − retentionMs when they came (or with no usable time). */
  tooOld = 0;
  private newest: number | undefined;
  private readonly index: BucketIndex = {
    minutes: new Map(),
    hours: new Map(),
    interners: { users: new Interner(), servers: new Interner(), pages: new Interner() },
    totals: { users: new KeyTotals(), pages: new KeyTotals(), servers: new KeyTotals() },
    marks: new Marks(),
    tallies: new Tallies(),
  };
  /** Every bucket below these indexes has been dropped. */
  private minutesSwept = Number.NEGATIVE_INFINITY;
  private hoursSwept = Number.NEGATIVE_INFINITY;
  /** Every bucket below these indexes has been frozen once. */
  private minutesFrozen = Number.NEGATIVE_INFINITY;
  private hoursFrozen = Number.NEGATIVE_INFINITY;
  /** Reused for every event: the hot path allocates nothing but new buckets. */
  private readonly ids: EventIds = { bot: false, user: -1, server: -1, page: -1 };

  constructor(options: { retentionMs: number }) {
    if (!(options.retentionMs > 0 && options.retentionMs % MINUTE_MS === 0))
      throw new Error(`retentionMs must be a positive whole number of minutes, got ${options.retentionMs}`);
    this.retentionMs = options.retentionMs;
  }

  /** Counts the event into its minute and hour; false (and tooOld + 1) when it is older than retention. */
  add(event: WindowEvent): boolean {
    const t = event.timeMs;
    if (!Number.isFinite(t)) {
      this.tooOld++;
      return false;
    }
    if (this.newest === undefined || t > this.newest) {
      this.newest = t;
      this.evict(t - this.retentionMs);
      this.freeze(t - FREEZE_AFTER_MS);
    } else if (t < this.newest - this.retentionMs) {
      this.tooOld++;
      return false;
    }
    const { interners, minutes, hours } = this.index;
    const ids = this.ids;
    ids.bot = event.bot;
    ids.user = event.user === undefined ? -1 : interners.users.intern(event.user);
    ids.server = event.serverUrl === undefined ? -1 : interners.servers.intern(event.serverUrl);
    ids.page = event.page === undefined ? -1 : interners.pages.intern(event.page);
    const minute = Math.floor(t / MINUTE_MS);
    let m = minutes.get(minute);
    if (m === undefined) minutes.set(minute, (m = new MinuteBucket(minute * MINUTE_MS)));
    m.add(ids, interners);
    const hour = Math.floor(t / HOUR_MS);
    let h = hours.get(hour);
    if (h === undefined) hours.set(hour, (h = new HourBucket(hour * HOUR_MS)));
    h.add(ids, interners);
    const { totals } = this.index;
    if (ids.user >= 0) totals.users.count(ids.user, ids.bot);
    if (ids.page >= 0) totals.pages.count(ids.page, ids.bot);
    if (ids.server >= 0) totals.servers.count(ids.server, ids.bot);
    return true;
  }

  async rangeStats(fromMs: number, toMs: number): Promise<Stats> {
    return rangeStats(this.index, fromMs, toMs);
  }

  async top(by: TopBy, fromMs: number, toMs: number, limit: number, bot: boolean | undefined): Promise<TopItem[]> {
    return topKeys(this.index, by, fromMs, toMs, limit, bot);
  }

  async series(fromMs: number, toMs: number, stepMs: number, serverUrl?: string): Promise<SeriesCounts[]> {
    return series(this.index, fromMs, toMs, stepMs, serverUrl);
  }

  newestEventMs(): number | undefined {
    return this.newest;
  }

  /** What is kept: buckets and known strings (for tests, metrics and the benchmark). */
  kept(): { minutes: number; hours: number; users: number; pages: number; servers: number } {
    const { minutes, hours, interners } = this.index;
    return {
      minutes: minutes.size,
      hours: hours.size,
      users: interners.users.size,
      pages: interners.pages.size,
      servers: interners.servers.size,
    };
  }

  /**
   * Drops the buckets that end at or before `cutoffMs`. Each index is swept once as the newest time
   * advances, so the work is spread over the events, and it is never more than the buckets kept.
   */
  private evict(cutoffMs: number): void {
    this.minutesSwept = this.sweep(this.index.minutes, Math.floor(cutoffMs / MINUTE_MS), this.minutesSwept);
    this.hoursSwept = this.sweep(this.index.hours, Math.floor(cutoffMs / HOUR_MS), this.hoursSwept, (hour) => {
      const { totals } = this.index;
      totals.users.subtract(hour.users);
      totals.pages.subtract(hour.pages);
      totals.servers.subtract(hour.servers);
    });
  }

  private sweep<B extends Bucket>(buckets: Map<number, B>, keepFrom: number, swept: number, onDrop?: (bucket: B) => void): number {
    return walkBelow(buckets, keepFrom, swept, (i, bucket) => {
      onDrop?.(bucket);
      bucket.release(this.index.interners);
      buckets.delete(i);
    });
  }

  /** Freezes the buckets that ended at or before `settledMs`, each once. */
  private freeze(settledMs: number): void {
    const freeze = (_i: number, bucket: Bucket) => bucket.freeze();
    this.minutesFrozen = walkBelow(this.index.minutes, Math.floor(settledMs / MINUTE_MS), this.minutesFrozen, freeze);
    this.hoursFrozen = walkBelow(this.index.hours, Math.floor(settledMs / HOUR_MS), this.hoursFrozen, freeze);
  }
}

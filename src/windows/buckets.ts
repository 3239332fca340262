// The two bucket sizes. A minute bucket answers /stats ranges and series at minute precision; an
// hour bucket holds the same counts for a whole hour plus the per-user and per-page counts top needs,
// so a day's range unions 24 hour buckets and at most 118 edge minutes instead of 1,440 minutes, and
// top walks 24 tables, never a minute's. Both sizes are fed by every event, so either answers alone.
import { IdCounts, ServerCounts } from "./id-counts.ts";
import { IdSet } from "./id-set.ts";
import type { Interner } from "./interner.ts";
import { NO_SERVER, PairSet } from "./pair-set.ts";

/** One event's interned ids; -1 for a field the event did not have. */
export interface EventIds {
  bot: boolean;
  user: number;
  server: number;
  page: number;
}

export interface Interners {
  users: Interner;
  servers: Interner;
  pages: Interner;
}

/** What both bucket sizes count: totals, per server, distinct users, distinct (server, user) pairs. */
export abstract class Bucket {
  messages = 0;
  bots = 0;
  readonly servers = new ServerCounts();
  readonly pairs = new PairSet();

  constructor(readonly startMs: number) {}

  /** The distinct users of the bucket, in `ids[0..size)`. */
  abstract readonly users: IdSet;

  add(e: EventIds, interners: Interners): void {
    this.messages++;
    if (e.bot) this.bots++;
    let serverIndex = -1;
    if (e.server >= 0) {
      const before = this.servers.size;
      serverIndex = this.servers.count(e.server, e.bot);
      if (this.servers.size !== before) interners.servers.ref(e.server);
    }
    if (e.user < 0) return;
    const before = this.users.size;
    this.addUser(e);
    if (this.users.size !== before) interners.users.ref(e.user);
    if (this.pairs.add(e.server >= 0 ? e.server : NO_SERVER, e.user) && serverIndex >= 0) this.servers.users[serverIndex]!++;
  }

  protected abstract addUser(e: EventIds): void;

  /**
   * The bucket is past taking events (a late one may still come and thaw a table): its iterated
   * tables drop their hash slots. The servers keep theirs, since series look servers up.
   */
  freeze(): void {
    this.users.freeze();
    this.pairs.freeze();
  }

  /** The bucket is dropped: the strings it named may be forgotten. */
  release(interners: Interners): void {
    for (let i = 0; i < this.servers.size; i++) interners.servers.unref(this.servers.ids[i]!);
    for (let i = 0; i < this.users.size; i++) interners.users.unref(this.users.ids[i]!);
  }
}

export class MinuteBucket extends Bucket {
  readonly users = new IdSet();

  protected override addUser(e: EventIds): void {
    this.users.add(e.user);
  }
}

export class HourBucket extends Bucket {
  /** Events per user, bot and human apart: top users, and the hour's distinct users. */
  readonly users = new IdCounts();
  readonly pages = new IdCounts();

  override add(e: EventIds, interners: Interners): void {
    super.add(e, interners);
    if (e.page < 0) return;
    const before = this.pages.size;
    this.pages.count(e.page, e.bot);
    if (this.pages.size !== before) interners.pages.ref(e.page);
  }

  protected override addUser(e: EventIds): void {
    this.users.count(e.user, e.bot);
  }

  override freeze(): void {
    super.freeze();
    this.pages.freeze();
  }

  override release(interners: Interners): void {
    super.release(interners);
    for (let i = 0; i < this.pages.size; i++) interners.pages.unref(this.pages.ids[i]!);
  }
}

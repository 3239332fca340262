// The Cassandra StatsStore: counts in memory, flushes deltas as counter batches, resumes the stream.
import cassandra from "cassandra-driver";
import { LeaseLostError, type WriteGuard } from "../write-guard.ts";
import { retry } from "../../retry/retry.ts";
import type { Logger } from "../../log/logger.ts";
import { ServerUrlLimit } from "../../stats/server-urls.ts";
import { emptyStats, type ChangeEvent, type Stats } from "../../stats/types.ts";
import type { FlushObserver, StatsStore, StoreHealth } from "../stats-store.ts";
import type { CassandraConnection } from "./connection.ts";
import { CounterFlush } from "./counter-flush.ts";
import { counterValue } from "./counter-writes.ts";
import { Delta } from "./delta.ts";
import { fencedSession, flushDeadline } from "./fenced-session.ts";
import { FlushSchedule, MAX_RETRY_MS } from "./flush-schedule.ts";
import { KnownUsers } from "./known-users.ts";
import { addLanded, copyStats, sentOf, undoOf, type Sent } from "./landed-ahead.ts";
import { migrateUniqueUsers } from "./migrate-users.ts";
import { IDEMPOTENT } from "./query-options.ts";
import { LwtInserts, ReadThenInsert, type NewUserCheck, type NewUserWriter } from "./new-users.ts";

export interface CassandraStoreOptions {
  /** Key of this stream's saved position (the stream URL). */
  streamKey: string;
  flushIntervalMs: number;
  /** Flush early once this many events are waiting (default FLUSH_EVENTS). */
  flushEvents?: number;
  /** Users remembered as already in unique_users; the oldest are forgotten first. */
  knownUsersLimit?: number;
  /** How new users are told from known ones (see new-users.ts). */
  newUserCheck?: NewUserCheck;
  /** Counter updates per unlogged counter batch. */
  batchSize?: number;
  /** Distinct server URLs kept in server_counts (those already there always keep counting). */
  maxServerUrls?: number;
}

/**
 * Events that start a flush before its interval is up. Each flush writes a counter row per server URL
 * it saw (up to about a thousand) whatever its size, so a backlog is cheapest in large flushes: at
 * 100,000 rather than 50,000, a 200k-event backfill took 3 flushes instead of 5, Cassandra spent
 * 3.2–3.45 µs an event instead of 4.35–4.65, and durable ingest rose about 10 % (test/bench, paired runs).
 * A crash re-reads at most about two flushes' events from the stream.
 */
const FLUSH_EVENTS = 100_000;
/** Reading from Cassandra again after a failure: from 200 ms up to MAX_RETRY_MS apart. */
const READ_RETRY = { minMs: 200, maxMs: MAX_RETRY_MS };
/**
 * /ready turns 503 once flushes have failed, and Cassandra has not answered at all, for this long.
 * A node lost from a cluster makes the requests it leads time out for as long as the others take to
 * notice (about 20 s) while the rest are answered: Cassandra is reachable, and the replica should
 * stay in its load balancer.
 */
const NOT_READY_AFTER_MS = 10_000;

export class CassandraStore implements StatsStore {
  readonly kind = "cassandra";
  private pending = new Delta();
  private inflight: Delta | undefined;
  /** What Cassandra holds, as last read plus what this process has written since. */
  private readonly mirror: Stats = emptyStats();
  private readonly known: KnownUsers;
  /** Every URL in server_counts (read at each refresh) and every one admitted since. */
  private readonly servers: ServerUrlLimit;
  /** The first read of the totals; the stream waits for it, so the known server URLs are complete. */
  private loaded: Promise<void> = Promise.resolve();
  private latestPosition: string | undefined;
  private savedPosition: string | undefined;
  /** The session, once connected and the totals are loaded; flushes only start after that. */
  private client: cassandra.Client | undefined;
  private closing = false;
  private flushing: Promise<void> | undefined;
  private readonly flushes: FlushSchedule;
  /** When a statement of this store last succeeded. */
  private lastAnswer = 0;
  private readonly answered = () => {
    this.lastAnswer = performance.now();
  };
  private changes = 0;
  private readonly ks: string;
  private newUsers: NewUserWriter;
  /** Set while an ingest lease decides whether this process may write (lease/). */
  private guard: WriteGuard | undefined;
  private readonly counters: CounterFlush;
  /**
   * Counts whose counter writes landed since the last saved position, by flushes that then failed
   * before saving theirs: a resume from the saved position reads their events again.
   */
  private landedAhead = new Delta();
  /** What takeOver() needs of the last time this process stood down (see discardPending). */
  private stoodDown: StoodDown | undefined;
  /** Whether unique_users has been copied into unique_users_by_bucket (see migrate-users.ts). */
  private usersMigrated = false;

  constructor(
    private readonly conn: CassandraConnection,
    private readonly options: CassandraStoreOptions,
    private readonly log: Logger,
  ) {
    this.ks = conn.keyspace;
    this.flushes = new FlushSchedule({ intervalMs: options.flushIntervalMs, round: this.round, pendingEvents: () => this.pending.messages, log });
    this.newUsers = this.newUserWriter();
    this.servers = new ServerUrlLimit(options.maxServerUrls);
    this.known = new KnownUsers(options.knownUsersLimit ?? 500_000);
    this.counters = new CounterFlush({
      keyspace: this.ks, batchSize: options.batchSize ?? 10, readRetry: READ_RETRY,
      closing: () => this.closing, answered: this.answered, log,
    });
  }

  private newUserWriter(uncounted: Iterable<string> = []): NewUserWriter {
    return this.options.newUserCheck === "lwt" ? new LwtInserts(this.ks, uncounted) : new ReadThenInsert(this.ks, uncounted);
  }

  /** From now on, every flush first asks `guard` whether this process still holds the ingest lease. */
  fence(guard: WriteGuard): void {
    this.guard = guard;
  }

  /**
   * Before leading: the mirror, which ambiguous writes are checked against, must hold what the last
   * holder wrote; and the users of a keyspace from before unique_users_by_bucket must be copied there
   * (here rather than in the first flush, which has to finish within its share of the lease).
   */
  async takeOver(): Promise<void> {
    const client = await this.conn.whenReady();
    await this.exclusive(async () => {
      await this.migrateUsers(client);
      await this.refresh(client);
      const stoodDown = this.stoodDown;
      if (stoodDown !== undefined && !stoodDown.landedAhead.isEmpty()) await this.takeBackLanded(client, stoodDown);
      // user_count as this process left it: no other holder counted a new user, so none of the users
      // whose insert timed out was counted by anyone; they count when next seen, once.
      if (stoodDown !== undefined && this.mirror.distinct_users === stoodDown.distinctUsers && stoodDown.unconfirmed.length > 0) {
        this.newUsers = this.newUserWriter([...this.newUsers.uncounted(), ...stoodDown.unconfirmed]);
      }
      // As the only writer, knowing every user saves a read per new user (see known-users.ts).
      if (this.mirror.distinct_users <= this.known.limit) {
        const started = performance.now();
        const complete = await this.known.loadAll(client, this.ks);
        this.log.info("loaded the known users", { users: this.known.size, complete, ms: Math.round(performance.now() - started) });
        if (complete) await this.countUncounted(client);
      }
      // In the table (or maybe) but not counted yet (see discardPending): they must count as new when seen.
      for (const user of this.newUsers.uncounted()) this.known.forget(user);
      // Only now: a takeOver that failed part way is retried with what it still has to do.
      this.stoodDown = undefined;
    });
  }

  /**
   * Counts that landed after the position this process last saved, before it stood down: it now
   * resumes from that position and counts their events again, so they are taken back out first, when
   * the tables are exactly as it left them (no other holder wrote since; one that did resumed from the
   * same position and counted them too: the crash window of the README, What survives what).
   */
  private async takeBackLanded(client: cassandra.Client, stoodDown: StoodDown): Promise<void> {
    const position = await this.position();
    if (position !== stoodDown.position || !Bun.deepEquals(this.mirror, stoodDown.mirror)) {
      // Another holder wrote (and resumed from the same position), or the position write landed after all.
      this.log.warn("the tables changed since this process stood down; counts it wrote just before are not taken back (their events may be counted twice)", {
        events: stoodDown.landedAhead.messages,
      });
      stoodDown.landedAhead = new Delta();
      return;
    }
    const undo = undoOf(stoodDown.landedAhead);
    try {
      await this.writeCounters(client, undo);
    } catch (error) {
      // What was taken back is in the mirror and the tables; a retried takeOver takes back the rest.
      stoodDown.landedAhead = undoOf(undo);
      stoodDown.mirror = copyStats(this.mirror);
      throw error;
    }
    this.log.info("took back counts written just before standing down, whose events are read again", { events: stoodDown.landedAhead.messages });
    stoodDown.landedAhead = new Delta();
    stoodDown.mirror = copyStats(this.mirror);
  }

  /**
   * With every row of unique_users_by_bucket read (and no other writer, fencing), user_count must be
   * their number. A holder that crashed or lost the lease between a flush's user inserts and its
   * user_count increment left users in the table uncounted, whoever leads next: they are counted
   * here, and so none is carried over as uncounted any more (see discardPending). Users whose insert
   * timed out and never landed are not in the table: new when seen.
   */
  private async countUncounted(client: cassandra.Client): Promise<void> {
    const missing = this.known.size - this.mirror.distinct_users;
    if (missing < 0) {
      this.log.warn("user_count is above the number of users in unique_users_by_bucket; left as it is", {
        user_count: this.mirror.distinct_users, users: this.known.size,
      });
      return;
    }
    if (missing > 0) {
      const delta = new Delta();
      delta.newUsers = missing;
      await this.writeCounters(client, delta);
      this.changes++;
      this.log.warn("counted users that were in the table but not in user_count (a holder stopped between writing them and counting them)", { users: missing });
    }
    this.newUsers = this.newUserWriter();
  }

  /** Writes counter corrections at take-over, fenced as a flush is (and into the mirror). */
  private writeCounters(client: cassandra.Client, delta: Delta): Promise<void> {
    return this.counters.write(client, fencedSession(client, flushDeadline(this.guard), this.answered), delta, this.mirror);
  }

  private async migrateUsers(client: cassandra.Client): Promise<void> {
    if (this.usersMigrated) return;
    await migrateUniqueUsers(client, this.ks, this.log);
    this.usersMigrated = true;
  }

  /**
   * Drops everything counted but not flushed, and the position reached: for a holder that lost its
   * lease. The next holder resumes from the saved position, so it counts those events itself.
   */
  async discardPending(): Promise<void> {
    await this.exclusive(async () => {
      // Users settled as new whose user_count increment is dropped here are in the table, uncounted,
      // and no later holder can have counted them (fencing: they were inserted before its lease). If
      // this process leads again and sees them, it counts them then; another holder would find them
      // existing (see README, What survives what). Users whose insert timed out may be in the table or
      // not: another holder may insert and count them, so they are carried over only if no new user
      // was counted meanwhile (see takeOver).
      const uncounted = [...this.pending.newUserNames];
      this.stoodDown = {
        distinctUsers: this.mirror.distinct_users, unconfirmed: [...this.newUsers.uncounted()],
        landedAhead: this.landedAhead, mirror: copyStats(this.mirror), position: this.savedPosition,
      };
      this.landedAhead = new Delta();
      this.pending = new Delta();
      this.latestPosition = this.savedPosition = undefined;
      // takeOver() makes them unknown again, should this process lead again.
      this.newUsers = this.newUserWriter(uncounted);
      this.known.incomplete();
      this.changes++;
    });
  }

  async open(): Promise<void> {
    this.conn.start();
    this.loaded = this.conn.whenReady().then((client) => this.load(client), () => {});
  }

  add(event: ChangeEvent): boolean {
    this.changes++;
    const kept = this.pending.add(event, this.known.has, this.servers);
    if (this.pending.messages >= (this.options.flushEvents ?? FLUSH_EVENTS) && this.client !== undefined) this.flushes.soon();
    return kept;
  }

  setPosition(lastEventId: string): void {
    this.latestPosition = lastEventId;
  }

  async position(): Promise<string | undefined> {
    const client = await this.conn.whenReady();
    await this.loaded;
    const row = (await client.execute(`SELECT last_event_id FROM ${this.ks}.stream_offsets WHERE stream = ?`, [this.options.streamKey], IDEMPOTENT)).first();
    const saved = (row?.last_event_id as string | null | undefined) ?? undefined;
    this.savedPosition = saved;
    this.latestPosition ??= saved;
    return saved;
  }

  async stats(): Promise<Stats> {
    const stats = copyStats(this.mirror);
    this.inflight?.addTo(stats);
    this.pending.addTo(stats);
    return stats;
  }

  /** Bumped by add(), by newly confirmed users, and by every re-read of the totals. */
  revision(): number {
    return this.changes;
  }

  observeFlushes(observer: FlushObserver): void {
    this.flushes.observe(observer);
  }

  health(): StoreHealth {
    return {
      ready: this.conn.isReady && this.client !== undefined && this.writing(),
      pendingEvents: this.pending.messages + (this.inflight?.messages ?? 0),
      lastError: this.flushes.lastError ?? (this.conn.isReady ? undefined : this.conn.lastError),
    };
  }

  private writing(): boolean {
    const now = performance.now();
    const { failingSince } = this.flushes;
    return failingSince === undefined || now - failingSince < NOT_READY_AFTER_MS || now - this.lastAnswer < NOT_READY_AFTER_MS;
  }

  /** Writes everything added so far; rejects (keeping it all pending) when Cassandra fails. */
  async flush(): Promise<void> {
    await this.flushIfPending();
  }

  /** flush(), telling how many events it wrote (undefined when there was nothing to write, not even a position). */
  private async flushIfPending(): Promise<number | undefined> {
    const client = this.client;
    if (client === undefined) throw new Error(`Cassandra not connected: ${this.conn.lastError ?? "connecting"}`);
    let written: number | undefined;
    await this.exclusive(async () => {
      if (this.pending.isEmpty() && this.latestPosition === this.savedPosition) return;
      written = this.pending.messages;
      // Fencing: throws (and stands this process down) when the ingest lease is too short for a flush.
      await this.flushOnce(client, flushDeadline(this.guard));
    });
    return written;
  }

  /** Runs `work` when no other flush or re-read is running: both rewrite the mirror. */
  private async exclusive(work: () => Promise<void>): Promise<void> {
    // No await between this check and setting `flushing`: the works never overlap.
    while (this.flushing) await this.flushing.catch(() => {});
    this.flushing = work();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.flushes.stop();
    const waiting = this.pending.messages;
    try {
      await this.flush();
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.log.warn("not holding the ingest lease at shutdown; unflushed counts are left to the next holder", { events: waiting });
      } else if (waiting > 0 || this.latestPosition !== this.savedPosition) {
        this.log.error("final flush to Cassandra failed; unflushed counts are lost", { error, events: waiting });
      } else {
        this.log.warn("closing without having reached Cassandra; nothing was waiting to be written", { error });
      }
    }
    await this.conn.close();
  }

  private async load(client: cassandra.Client): Promise<void> {
    try {
      await retry(() => this.refresh(client), {
        backoff: READ_RETRY, stop: () => this.closing,
        onRetry: (error, attempt, retryInMs) => this.log.warn("reading totals from Cassandra failed; retrying", { error, attempt, retry_in_ms: retryInMs }),
      });
    } catch {
      // Given up only because the store is closing.
      return;
    }
    this.client = client;
    this.flushes.start();
  }

  /** One round of the flush schedule: what is pending written, or else the totals re-read. */
  private readonly round = async (): Promise<number | undefined> => {
    // With nothing to write, still re-read: other instances may have written (or this one serves only).
    const client = this.client;
    const written = await this.flushIfPending();
    if (written === undefined && client) await this.exclusive(() => this.refresh(client));
    return written;
  };

  private async flushOnce(client: cassandra.Client, deadline: number): Promise<void> {
    const delta = this.pending;
    const position = this.latestPosition;
    const session = fencedSession(client, deadline, this.answered);
    this.pending = new Delta();
    this.inflight = delta;
    const started = performance.now();
    const sizes = { events: delta.messages, candidate_users: delta.candidateUsers.size, server_urls: delta.servers.size };
    let sent: Sent | undefined;
    try {
      // Done by takeOver() when a lease is held: this is for a store used without one.
      await this.migrateUsers(client);
      // Needed when every user is known: settle() then takes any candidate left for a new user.
      delta.dropKnown(this.known.has);
      await this.newUsers.settle(session, delta, this.rememberUser, this.known.complete);
      sent = sentOf(delta);
      await this.counters.write(client, session, delta, this.mirror);
      // After the counters: a crash in between re-counts this window on resume rather than losing it.
      if (position !== undefined && position !== this.savedPosition) {
        await session.execute(
          `INSERT INTO ${this.ks}.stream_offsets (stream, last_event_id, updated_at) VALUES (?, ?, toTimestamp(now()))`,
          [this.options.streamKey, position], IDEMPOTENT,
        );
        this.savedPosition = position;
      }
      this.landedAhead = new Delta();
    } catch (error) {
      if (sent !== undefined) addLanded(this.landedAhead, sent, delta);
      this.pending.absorb(delta);
      throw error;
    } finally {
      this.inflight = undefined;
    }
    this.log.debug("flushed", { ...sizes, all_users_known: this.known.complete, ms: Math.round(performance.now() - started) });
    // Picks up other instances' writes; the mirror already holds ours, so a failure here costs nothing.
    // A lease holder is the keyspace's only writer: nothing to pick up (ticks with nothing to write still re-read).
    if (this.guard === undefined) await this.refresh(client).catch((error) => this.log.debug("refreshing totals failed", { error }));
  }

  private readonly rememberUser = (user: string) => {
    this.changes++;
    this.known.add(user);
  };

  private async refresh(client: cassandra.Client): Promise<void> {
    const n = counterValue;
    const [summary, users, servers] = await Promise.all([
      client.execute(`SELECT total_messages, bot_count, non_bot_count FROM ${this.ks}.stats_summary WHERE id = 'global'`, [], IDEMPOTENT),
      client.execute(`SELECT distinct_users FROM ${this.ks}.user_count WHERE id = 'global'`, [], IDEMPOTENT),
      // server_counts grows with the number of wikis (about a thousand), not with users or events.
      client.execute(`SELECT server_url, count FROM ${this.ks}.server_counts`, [], { ...IDEMPOTENT, fetchSize: 10_000 }),
    ]);
    const s = summary.first();
    const byServer: Record<string, number> = {};
    for (const row of servers.rows) {
      byServer[row.server_url as string] = n(row.count);
      this.servers.know(row.server_url as string);
    }
    this.mirror.messages = n(s?.total_messages);
    this.mirror.bots = n(s?.bot_count);
    this.mirror.non_bots = n(s?.non_bot_count);
    this.mirror.distinct_users = n(users.first()?.distinct_users);
    this.mirror.by_server_url = byServer;
    this.changes++;
    this.answered();
  }
}

interface StoodDown {
  /** user_count when this process stood down, and the users whose insert timed out. */
  distinctUsers: number;
  unconfirmed: string[];
  /** Counts that had landed beyond `position` (see landedAhead), the tables as this process knew them, and its saved position. */
  landedAhead: Delta;
  mirror: Stats;
  position: string | undefined;
}

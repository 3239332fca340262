// The Cassandra StatsStore: counts in memory, flushes deltas as counter batches, resumes the stream.
// Its parts: pending-counts (what waits), flush-pipeline (the writes and their lock), stream-position,
// totals-mirror (the read model), lease-handover (fencing and the hand-over), readiness (health).
import type { Logger } from "../../log/logger.ts";
import type { ChangeEvent, Stats } from "../../stats/types.ts";
import type { FlushObserver, StatsStore, StoreHealth } from "../stats-store.ts";
import { LeaseLostError, type WriteGuard } from "../write-guard.ts";
import type { CassandraConnection } from "./connection.ts";
import { CounterFlush } from "./counter-flush.ts";
import { FlushPipeline } from "./flush-pipeline.ts";
import { FlushSchedule } from "./flush-schedule.ts";
import { LeaseHandOver } from "./lease-handover.ts";
import type { NewUserCheck } from "./new-users.ts";
import { PendingCounts } from "./pending-counts.ts";
import { Readiness } from "./readiness.ts";
import { StreamPosition } from "./stream-position.ts";
import { TotalsMirror } from "./totals-mirror.ts";
import { UniqueUsers } from "./unique-users.ts";

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
 * it saw (up to about a thousand) whatever its size, so a backlog is cheapest in large flushes
 * (measured in test/bench/README.md). A crash re-reads at most about two flushes' events from the stream.
 */
const FLUSH_EVENTS = 100_000;

export class CassandraStore implements StatsStore {
  readonly kind = "cassandra";
  private readonly counts = new PendingCounts();
  private readonly streamPosition: StreamPosition;
  private readonly mirror: TotalsMirror;
  private readonly users: UniqueUsers;
  private readonly readiness: Readiness;
  private readonly pipeline: FlushPipeline;
  private readonly handOver: LeaseHandOver;
  private readonly flushes: FlushSchedule;
  /** The first read of the totals; the stream waits for it, so the known server URLs are complete. */
  private loaded: Promise<void> = Promise.resolve();
  private readonly stopping = new AbortController();

  constructor(
    private readonly conn: CassandraConnection,
    private readonly options: CassandraStoreOptions,
    private readonly log: Logger,
  ) {
    const ks = conn.keyspace;
    const counts = this.counts;
    this.readiness = new Readiness(conn);
    const answered = this.readiness.answered;
    const position = (this.streamPosition = new StreamPosition(ks, options.streamKey));
    const mirror = (this.mirror = new TotalsMirror(ks, options.maxServerUrls, answered));
    const users = (this.users = new UniqueUsers(ks, options.newUserCheck, options.knownUsersLimit ?? 500_000, log));
    const counters = new CounterFlush({
      keyspace: ks,
      batchSize: options.batchSize ?? 10,
      closing: this.stopping.signal,
      answered,
      log,
    });
    const pipeline = (this.pipeline = new FlushPipeline({ conn, counts, position, mirror, users, counters, answered, log }));
    this.handOver = new LeaseHandOver({ conn, pipeline, counts, position, readPosition: () => this.position(), mirror, users, log });
    this.flushes = new FlushSchedule({
      intervalMs: options.flushIntervalMs,
      round: pipeline.round,
      pendingEvents: () => counts.events,
      log,
    });
  }

  /** From now on, every flush first asks `guard` whether this process still holds the ingest lease. */
  fence(guard: WriteGuard): void {
    this.handOver.fence(guard);
  }

  /** Before leading: brings the mirror and the known users up to what the last holder wrote (see LeaseHandOver). */
  takeOver(): Promise<void> {
    return this.handOver.takeOver();
  }

  /** Drops everything counted but not flushed, and the position reached: for a holder that lost its lease. */
  discardPending(): Promise<void> {
    return this.handOver.discardPending();
  }

  async open(): Promise<void> {
    this.conn.start();
    this.loaded = this.conn.whenReady().then(
      (client) => this.pipeline.load(client, this.stopping.signal, () => this.flushes.start()),
      () => {},
    );
  }

  add(event: ChangeEvent): boolean {
    this.mirror.changed();
    const kept = this.counts.add(event, this.users.known.has, this.mirror.servers);
    if (this.counts.events >= (this.options.flushEvents ?? FLUSH_EVENTS) && this.pipeline.loaded) this.flushes.soon();
    return kept;
  }

  setPosition(lastEventId: string): void {
    this.streamPosition.set(lastEventId);
  }

  async position(): Promise<string | undefined> {
    const client = await this.conn.whenReady();
    await this.loaded;
    return this.streamPosition.read(client);
  }

  async stats(): Promise<Stats> {
    const stats = this.mirror.snapshot();
    this.counts.addTo(stats);
    return stats;
  }

  /** Bumped by add(), by newly confirmed users, and by every re-read of the totals. */
  revision(): number {
    return this.mirror.revision;
  }

  observeFlushes(observer: FlushObserver): void {
    this.flushes.observe(observer);
  }

  health(): StoreHealth {
    return this.readiness.report(this.flushes, this.pipeline.loaded, this.counts.unwritten);
  }

  /** Writes everything added so far; rejects (keeping it all pending) when Cassandra fails. */
  async flush(): Promise<void> {
    await this.pipeline.flushIfPending();
  }

  async close(): Promise<void> {
    this.stopping.abort();
    this.flushes.stop();
    const waiting = this.counts.events;
    try {
      await this.flush();
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.log.warn("not holding the ingest lease at shutdown; unflushed counts are left to the next holder", { events: waiting });
      } else if (waiting > 0 || this.streamPosition.unsaved) {
        this.log.error("final flush to Cassandra failed; unflushed counts are lost", { error, events: waiting });
      } else {
        this.log.warn("closing without having reached Cassandra; nothing was waiting to be written", { error });
      }
    }
    await this.conn.close();
  }
}

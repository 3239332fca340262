// A flush: new users settled, counters written, then the position saved; one at a time, under a lock re-reads and hand-overs share.
import type cassandra from "cassandra-driver";
import type { Logger } from "../../log/logger.ts";
import { CASSANDRA_READ } from "../../retry/policies.ts";
import { retry } from "../../retry/retry.ts";
import type { WriteGuard } from "../write-guard.ts";
import type { CassandraConnection } from "./connection.ts";
import type { CounterFlush } from "./counter-flush.ts";
import type { Delta } from "./delta.ts";
import { fencedSession, flushDeadline } from "./fenced-session.ts";
import { sentOf, type Sent } from "./landed-ahead.ts";
import type { PendingCounts } from "./pending-counts.ts";
import type { StreamPosition } from "./stream-position.ts";
import type { TotalsMirror } from "./totals-mirror.ts";
import type { UniqueUsers } from "./unique-users.ts";

interface FlushParts {
  conn: CassandraConnection;
  counts: PendingCounts;
  position: StreamPosition;
  mirror: TotalsMirror;
  users: UniqueUsers;
  counters: CounterFlush;
  /** A statement succeeded (for /ready). */
  answered: () => void;
  log: Logger;
}

export class FlushPipeline {
  /** Set while an ingest lease decides whether this process may write (lease/). */
  guard: WriteGuard | undefined;
  /** The session, once connected and the totals are loaded; flushes only start after that. */
  private client: cassandra.Client | undefined;
  private flushing: Promise<void> | undefined;

  constructor(private readonly parts: FlushParts) {}

  get loaded(): boolean {
    return this.client !== undefined;
  }

  /**
   * Reads the totals (retrying until `signal` aborts), then lets flushes use `client` and calls
   * `start` in the same turn, before any add() can ask for an early flush.
   */
  async load(client: cassandra.Client, signal: AbortSignal, start: () => void): Promise<void> {
    try {
      await retry(() => this.parts.mirror.refresh(client), {
        backoff: CASSANDRA_READ,
        signal,
        onRetry: (error, attempt, retryInMs) =>
          this.parts.log.warn("reading totals from Cassandra failed; retrying", { error, attempt, retry_in_ms: retryInMs }),
      });
    } catch {
      // Given up only because the store is closing.
      return;
    }
    this.client = client;
    start();
  }

  /** Writes everything added so far, telling how many events (undefined when there was nothing to write, not even a position). */
  async flushIfPending(): Promise<number | undefined> {
    const { conn, counts, position } = this.parts;
    const client = this.client;
    if (client === undefined) throw new Error(`Cassandra not connected: ${conn.lastError ?? "connecting"}`);
    let written: number | undefined;
    await this.exclusive(async () => {
      if (counts.isEmpty() && !position.unsaved) return;
      written = counts.events;
      // Fencing: throws (and stands this process down) when the ingest lease is too short for a flush.
      await this.flushOnce(client, flushDeadline(this.guard));
    });
    return written;
  }

  /** Runs `work` when no other flush or re-read is running: both rewrite the mirror. */
  async exclusive(work: () => Promise<void>): Promise<void> {
    // No await between this check and setting `flushing`: the works never overlap.
    while (this.flushing) await this.flushing.catch(() => {});
    this.flushing = work();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  /** One round of the flush schedule: what is pending written, or else the totals re-read. */
  readonly round = async (): Promise<number | undefined> => {
    // With nothing to write, still re-read: other instances may have written (or this one serves only).
    const client = this.client;
    const written = await this.flushIfPending();
    if (written === undefined && client) await this.exclusive(() => this.parts.mirror.refresh(client));
    return written;
  };

  /** Writes counter corrections at take-over, fenced as a flush is (and into the mirror). */
  writeCorrection(client: cassandra.Client, delta: Delta): Promise<void> {
    const { counters, answered, mirror } = this.parts;
    return counters.write(client, fencedSession(client, flushDeadline(this.guard), answered), delta, mirror.totals);
  }

  private async flushOnce(client: cassandra.Client, deadline: number): Promise<void> {
    const { counts, position, mirror, users, counters, answered, log } = this.parts;
    const reached = position.reached;
    const session = fencedSession(client, deadline, answered);
    const delta = counts.begin();
    const started = performance.now();
    const sizes = { events: delta.messages, candidate_users: delta.candidateUsers.size, server_urls: delta.servers.size };
    let sent: Sent | undefined;
    try {
      // Done by takeOver() when a lease is held: this is for a store used without one.
      await users.migrate(client);
      // Needed when every user is known: settle() then takes any candidate left for a new user.
      delta.dropKnown(users.known.has);
      await users.writer.settle(session, delta, this.rememberUser, users.known.complete);
      sent = sentOf(delta);
      await counters.write(client, session, delta, mirror.totals);
      // After the counters: a crash in between re-counts this window on resume rather than losing it.
      await position.save(session, reached);
      counts.saved();
    } catch (error) {
      counts.failed(delta, sent);
      throw error;
    } finally {
      counts.ended();
    }
    log.debug("flushed", { ...sizes, all_users_known: users.known.complete, ms: Math.round(performance.now() - started) });
    // Picks up other instances' writes; the mirror already holds ours, so a failure here costs nothing.
    // A lease holder is the keyspace's only writer: nothing to pick up (ticks with nothing to write still re-read).
    if (this.guard === undefined) await mirror.refresh(client).catch((error) => log.debug("refreshing totals failed", { error }));
  }

  private readonly rememberUser = (user: string) => {
    this.parts.mirror.changed();
    this.parts.users.known.add(user);
  };
}

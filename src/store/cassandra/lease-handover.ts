// The store's side of the ingest lease: fencing its flushes, taking over as holder, and standing down.
import type cassandra from "cassandra-driver";
import type { Logger } from "../../log/logger.ts";
import type { WriteGuard } from "../write-guard.ts";
import type { CassandraConnection } from "./connection.ts";
import { Delta } from "./delta.ts";
import type { FlushPipeline } from "./flush-pipeline.ts";
import type { PendingCounts } from "./pending-counts.ts";
import { takeBackLanded, type StoodDown } from "./stood-down.ts";
import type { StreamPosition } from "./stream-position.ts";
import type { TotalsMirror } from "./totals-mirror.ts";
import type { UniqueUsers } from "./unique-users.ts";

interface HandOverParts {
  conn: CassandraConnection;
  pipeline: FlushPipeline;
  counts: PendingCounts;
  position: StreamPosition;
  /** Reads the saved position, once the totals are loaded (CassandraStore.position). */
  readPosition: () => Promise<string | undefined>;
  mirror: TotalsMirror;
  users: UniqueUsers;
  log: Logger;
}

export class LeaseHandOver {
  /** What takeOver() needs of the last time this process stood down (see discardPending). */
  private stoodDown: StoodDown | undefined;

  constructor(private readonly parts: HandOverParts) {}

  /** From now on, every flush first asks `guard` whether this process still holds the ingest lease. */
  fence(guard: WriteGuard): void {
    this.parts.pipeline.guard = guard;
  }

  /**
   * Before leading: the mirror, which ambiguous writes are checked against, must hold what the last
   * holder wrote; and the users of a keyspace from before unique_users_by_bucket must be copied there
   * (here rather than in the first flush, which has to finish within its share of the lease).
   */
  async takeOver(): Promise<void> {
    const { conn, pipeline, mirror, users, log } = this.parts;
    const client = await conn.whenReady();
    await pipeline.exclusive(async () => {
      await users.migrate(client);
      await mirror.refresh(client);
      const stoodDown = this.stoodDown;
      if (stoodDown !== undefined && !stoodDown.landedAhead.isEmpty()) await takeBackLanded(client, stoodDown, this.parts);
      // user_count as this process left it: no other holder counted a new user, so none of the users
      // whose insert timed out was counted by anyone; they count when next seen, once.
      if (stoodDown !== undefined && mirror.totals.distinct_users === stoodDown.distinctUsers && stoodDown.unconfirmed.length > 0) {
        users.resetWriter([...users.writer.uncounted(), ...stoodDown.unconfirmed]);
      }
      // As the only writer, knowing every user saves a read per new user (see known-users.ts).
      if (mirror.totals.distinct_users <= users.known.limit) {
        const started = performance.now();
        const complete = await users.known.loadAll(client, conn.keyspace);
        log.info("loaded the known users", { users: users.known.size, complete, ms: Math.round(performance.now() - started) });
        if (complete) await this.countUncounted(client);
      }
      // In the table (or maybe) but not counted yet (see discardPending): they must count as new when seen.
      for (const user of users.writer.uncounted()) users.known.forget(user);
      // Only now: a takeOver that failed part way is retried with what it still has to do.
      this.stoodDown = undefined;
    });
  }

  /**
   * Drops everything counted but not flushed, and the position reached: for a holder that lost its
   * lease. The next holder resumes from the saved position, so it counts those events itself.
   */
  async discardPending(): Promise<void> {
    const { pipeline, counts, position, mirror, users } = this.parts;
    await pipeline.exclusive(async () => {
      // Users settled as new whose user_count increment is dropped here are in the table, uncounted,
      // and no later holder can have counted them (fencing: they were inserted before its lease). If
      // this process leads again and sees them, it counts them then; another holder would find them
      // existing (see db/README.md, What survives what). Users whose insert timed out may be in the table or
      // not: another holder may insert and count them, so they are carried over only if no new user
      // was counted meanwhile (see takeOver).
      const { newUserNames: uncounted, landedAhead } = counts.discard();
      this.stoodDown = {
        distinctUsers: mirror.totals.distinct_users,
        unconfirmed: [...users.writer.uncounted()],
        landedAhead,
        mirror: mirror.snapshot(),
        position: position.lastSaved,
      };
      position.forget();
      // takeOver() makes them unknown again, should this process lead again.
      users.resetWriter(uncounted);
      users.known.incomplete();
      mirror.changed();
    });
  }

  /**
   * With every row of unique_users_by_bucket read (and no other writer, fencing), user_count must be
   * their number. A holder that crashed or lost the lease between a flush's user inserts and its
   * user_count increment left users in the table uncounted, whoever leads next: they are counted
   * here, and so none is carried over as uncounted any more (see discardPending). Users whose insert
   * timed out and never landed are not in the table: new when seen.
   */
  private async countUncounted(client: cassandra.Client): Promise<void> {
    const { pipeline, mirror, users, log } = this.parts;
    const missing = users.known.size - mirror.totals.distinct_users;
    if (missing < 0) {
      log.warn("user_count is above the number of users in unique_users_by_bucket; left as it is", {
        user_count: mirror.totals.distinct_users,
        users: users.known.size,
      });
      return;
    }
    if (missing > 0) {
      const delta = new Delta();
      delta.newUsers = missing;
      await pipeline.writeCorrection(client, delta);
      mirror.changed();
      log.warn("counted users that were in the table but not in user_count (a holder stopped between writing them and counting them)", {
        users: missing,
      });
    }
    users.resetWriter();
  }
}

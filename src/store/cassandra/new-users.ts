// Finds which users are new to unique_users_by_bucket, inserts them, and counts each exactly once.
import type { Session } from "./connection.ts";
import { isAmbiguous } from "./counter-writes.ts";
import type { Delta } from "./delta.ts";
import { forEachLimited } from "./limited.ts";
import { IDEMPOTENT, PREPARED } from "./query-options.ts";
import { groupByBucket, userBucket } from "./user-buckets.ts";

export type NewUserCheck = "read-then-insert" | "lwt";

export interface NewUserWriter {
  /**
   * Settles every candidate of `delta`: each user found new adds one to `delta.newUsers`, and every
   * settled user is handed to `known`. Rejects on the first failure; unsettled candidates stay.
   * `allKnown`: every user in the table is known (known-users.ts), so no candidate is in it already.
   */
  settle(client: Session, delta: Delta, known: (user: string) => void, allKnown?: boolean): Promise<void>;
  /** Users that may be in the table but are not counted in user_count: each is counted when next settled. */
  uncounted(): Iterable<string>;
}

/**
 * One INSERT ... IF NOT EXISTS (a Paxos round) per candidate: exact even when several instances
 * write the same keyspace, at a few hundred microseconds of Cassandra CPU per new user.
 */
export class LwtInserts implements NewUserWriter {
  private readonly notCounted: Set<string>;

  constructor(
    private readonly keyspace: string,
    uncounted: Iterable<string> = [],
    private readonly concurrency = 128,
  ) {
    this.notCounted = new Set(uncounted);
  }

  uncounted(): Iterable<string> {
    return this.notCounted;
  }

  async settle(client: Session, delta: Delta, known: (user: string) => void): Promise<void> {
    const query = `INSERT INTO ${this.keyspace}.unique_users_by_bucket (bucket, username) VALUES (?, ?) IF NOT EXISTS`;
    await forEachLimited([...delta.candidateUsers], this.concurrency, async (user) => {
      const result = await client.execute(query, [userBucket(user), user], PREPARED);
      if (this.notCounted.delete(user) || result.wasApplied()) delta.countNew(user);
      delta.candidateUsers.delete(user);
      known(user);
    });
  }
}

/**
 * Per bucket, reads which candidates exist (one single-partition IN query; skipped while every user
 * in the table is known), then inserts the others as one single-partition batch. Exact when this
 * process is the keyspace's only writer — which the ingest lease ensures — at a fraction of an LWT's
 * cost. A timed-out insert may have landed: such users are remembered, and when a later read finds
 * them, they are counted then, since nobody else could have written them.
 */
export class ReadThenInsert implements NewUserWriter {
  /** Users whose insert timed out (or was counted in a window that was dropped): in the table or not, uncounted. */
  private readonly unconfirmed: Set<string>;

  constructor(
    private readonly keyspace: string,
    uncounted: Iterable<string> = [],
    private readonly concurrency = 8,
  ) {
    this.unconfirmed = new Set(uncounted);
  }

  uncounted(): Iterable<string> {
    return this.unconfirmed;
  }

  async settle(client: Session, delta: Delta, known: (user: string) => void, allKnown = false): Promise<void> {
    const select = `SELECT username FROM ${this.keyspace}.unique_users_by_bucket WHERE bucket = ? AND username IN ?`;
    // With every user known, a candidate is either new or one whose insert timed out, and uncounted: insert and count.
    const absent: string[] = allKnown ? [...delta.candidateUsers] : [];
    if (!allKnown)
      await forEachLimited(groupByBucket(delta.candidateUsers), this.concurrency, async ({ bucket, users }) => {
        const found = new Set((await client.execute(select, [bucket, users], IDEMPOTENT)).rows.map((r) => r.username as string));
        for (const user of users) {
          if (!found.has(user)) {
            absent.push(user);
            continue;
          }
          if (this.unconfirmed.delete(user)) delta.countNew(user);
          delta.candidateUsers.delete(user);
          known(user);
        }
      });
    const insert = `INSERT INTO ${this.keyspace}.unique_users_by_bucket (bucket, username) VALUES (?, ?)`;
    await forEachLimited(groupByBucket(absent), this.concurrency, async ({ bucket, users }) => {
      try {
        // One partition: Cassandra applies it as a single mutation, and no batch size warning applies.
        await client.batch(
          users.map((user) => ({ query: insert, params: [bucket, user] })),
          { ...IDEMPOTENT, logged: false },
        );
      } catch (error) {
        if (isAmbiguous(error)) for (const user of users) this.unconfirmed.add(user);
        throw error;
      }
      for (const user of users) {
        this.unconfirmed.delete(user);
        delta.countNew(user);
        delta.candidateUsers.delete(user);
        known(user);
      }
    });
  }
}

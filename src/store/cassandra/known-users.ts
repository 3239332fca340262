// The users this process knows to be in unique_users_by_bucket, and whether it knows all of them.
import type cassandra from "cassandra-driver";
import { BoundedCache } from "../../cache/bounded-cache.ts";
import { forEachLimited } from "./limited.ts";
import { pagedRows } from "./paged.ts";
import { USER_BUCKETS } from "./user-buckets.ts";

/**
 * A bounded set of user names confirmed to be in the table, oldest forgotten first. While `complete`,
 * it holds every row of the table, so a user it lacks is new without asking Cassandra. That holds
 * from a full load (loadAll) for as long as this process is the table's only writer — the ingest
 * lease — and nothing has been forgotten.
 */
export class KnownUsers {
  private users: BoundedCache<string, true>;
  private whole = false;

  constructor(readonly limit: number) {
    this.users = new BoundedCache({ maxSize: limit });
  }

  get size(): number {
    return this.users.size;
  }

  /** True when every user in the table is known (see the class comment). */
  get complete(): boolean {
    return this.whole;
  }

  readonly has = (user: string): boolean => this.users.has(user);

  add(user: string): void {
    if (this.users.set(user, true) > 0) this.whole = false;
  }

  /**
   * Treats a user in the table as unknown again: one whose new-user count was dropped, so that it is
   * counted when next seen. Completeness holds for the rest.
   */
  forget(user: string): void {
    this.users.delete(user);
  }

  /** Another process may write the table from now on (the lease was lost). */
  incomplete(): void {
    this.whole = false;
  }

  /**
   * Reads the whole table (its USER_BUCKETS partitions, page by page) and marks the set complete,
   * unless the table holds more than `limit` users: then it stops and the set stays incomplete. Only
   * for the table's sole writer, and before it checks any user as new.
   */
  async loadAll(client: cassandra.Client, keyspace: string): Promise<boolean> {
    this.whole = false;
    const found = new BoundedCache<string, true>({ maxSize: this.limit });
    let tooMany = false;
    const query = `SELECT username FROM ${keyspace}.unique_users_by_bucket WHERE bucket = ?`;
    const buckets = Array.from({ length: USER_BUCKETS }, (_, bucket) => bucket);
    await forEachLimited(buckets, 8, async (bucket) => {
      for await (const row of pagedRows(client, query, [bucket])) {
        if (tooMany) return;
        if (found.set(row.username as string, true) > 0) tooMany = true;
      }
    });
    if (tooMany) return false;
    // Every user known before was confirmed in the table, so the scan found it too.
    this.users = found;
    this.whole = true;
    return true;
  }
}

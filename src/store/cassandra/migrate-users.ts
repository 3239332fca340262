// The one-off copy of the seed's unique_users into unique_users_by_bucket, for keyspaces written before it existed.
import type cassandra from "cassandra-driver";
import type { Logger } from "../../log/logger.ts";
import { forEachLimited } from "./limited.ts";
import { PAGE_ROWS, pagedRows } from "./paged.ts";
import { IDEMPOTENT } from "./query-options.ts";
import { groupByBucket } from "./user-buckets.ts";

export const USERS_MIGRATION = "unique_users_to_buckets";

/**
 * Copies every row of unique_users into unique_users_by_bucket, then records the migration, unless it
 * is recorded already. Must run before this process checks a user as new: a user only in the old
 * table would be counted again. Safe to repeat after a failure or crash (the inserts are idempotent,
 * and user_count already counts these users), and to run from a holder that has just lost the lease
 * (it writes only users that exist). Returns how many rows were copied, or undefined when done before.
 */
export async function migrateUniqueUsers(client: cassandra.Client, keyspace: string, log: Logger): Promise<number | undefined> {
  const done = await client.execute(`SELECT applied_at FROM ${keyspace}.migrations WHERE name = ?`, [USERS_MIGRATION], IDEMPOTENT);
  if (done.first() !== null) return undefined;
  const started = performance.now();
  const insert = `INSERT INTO ${keyspace}.unique_users_by_bucket (bucket, username) VALUES (?, ?)`;
  let copied = 0;
  const copy = async (users: string[]) => {
    await forEachLimited(groupByBucket(users), 8, async ({ bucket, users: group }) => {
      await client.batch(
        group.map((user) => ({ query: insert, params: [bucket, user] })),
        { ...IDEMPOTENT, logged: false },
      );
    });
    copied += users.length;
    if (copied > 0 && copied % 100_000 < users.length) log.info("copying unique_users into unique_users_by_bucket", { copied });
  };
  // A page's worth at a time: the driver reads the next page once the loop has copied this one.
  let page: string[] = [];
  for await (const row of pagedRows(client, `SELECT username FROM ${keyspace}.unique_users`, [])) {
    page.push(row.username as string);
    if (page.length < PAGE_ROWS) continue;
    await copy(page);
    page = [];
  }
  await copy(page);
  await client.execute(
    `INSERT INTO ${keyspace}.migrations (name, applied_at) VALUES (?, toTimestamp(now()))`,
    [USERS_MIGRATION],
    IDEMPOTENT,
  );
  if (copied > 0)
    log.info("copied unique_users into unique_users_by_bucket", { users: copied, ms: Math.round(performance.now() - started) });
  return copied;
}

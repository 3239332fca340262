// What wikitally's tables hold, read by plain driver queries rather than the service's code: the tests
// and the benchmarks check the service against these readers.
import type cassandra from "cassandra-driver";

type StoredSummary = {
  messages: number;
  bots: number;
  non_bots: number;
  distinct_users: number;
};

/** A counter row or column never written reads as 0, as the service counts it. */
const num = (value: unknown): number => (value == null ? 0 : Number(String(value)));

const optionsFor = (consistency: number | undefined) => (consistency === undefined ? {} : { consistency });

/** The summary counters and user_count (at `consistency` when given): cheap enough to poll. */
export async function readSummary(client: cassandra.Client, ks: string, consistency?: number): Promise<StoredSummary> {
  const options = optionsFor(consistency);
  const [summary, users] = await Promise.all([
    client.execute(`SELECT total_messages, bot_count, non_bot_count FROM ${ks}.stats_summary WHERE id = 'global'`, [], options),
    client.execute(`SELECT distinct_users FROM ${ks}.user_count WHERE id = 'global'`, [], options),
  ]);
  const s = summary.first();
  return {
    messages: num(s?.total_messages),
    bots: num(s?.bot_count),
    non_bots: num(s?.non_bot_count),
    distinct_users: num(users.first()?.distinct_users),
  };
}

/** Every server_counts row as server URL -> count, all pages of it. */
export async function readServerCounts(client: cassandra.Client, ks: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  // eachRow with autoPage fetches every page; a plain execute returns the first one only.
  await new Promise<void>((resolve, reject) =>
    client.eachRow(
      `SELECT server_url, count FROM ${ks}.server_counts`,
      [],
      { fetchSize: 10_000, autoPage: true },
      (_n, row) => {
        counts[String(row.server_url)] = num(row.count);
      },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
  return counts;
}

/** The number of rows in `ks.table` (count(*): a full scan, for test-sized tables). */
export async function countRows(client: cassandra.Client, ks: string, table: string): Promise<number> {
  return num((await client.execute(`SELECT count(*) AS n FROM ${ks}.${table}`)).first()?.n);
}

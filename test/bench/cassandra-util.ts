// A plain driver session for the Cassandra benchmarks: bench keyspaces, and what the tables hold.
import cassandra from "cassandra-driver";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cpuMeter, ROOT } from "./common.ts";
import { countRows, readServerCounts, readSummary } from "../helpers/cassandra-tables.ts";
import type { Expected } from "./synthetic.ts";

export const CASSANDRA_HOST = process.env.CASSANDRA_HOST ?? "127.0.0.1:9042";

export async function connect(): Promise<cassandra.Client> {
  const client = new cassandra.Client({
    contactPoints: CASSANDRA_HOST.split(","),
    localDataCenter: "datacenter1",
    socketOptions: { connectTimeout: 5000, readTimeout: 30_000 },
  });
  await client.connect();
  return client;
}

/** Cassandra's version, or undefined (with the reason) when it cannot be reached. */
export async function probe(): Promise<{ version?: string; error?: string }> {
  try {
    const client = await connect();
    try {
      const row = (await client.execute("SELECT release_version FROM system.local")).first();
      return { version: String(row?.release_version) };
    } finally {
      await client.shutdown();
    }
  } catch (error) {
    return { error: (error as Error).message.split("\n")[0]! };
  }
}

/** A keyspace name of our own: wt_bench_<tag>_<random>. */
export function benchKeyspace(tag: string): string {
  return `wt_bench_${tag}_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

export async function dropKeyspaces(names: Iterable<string>): Promise<void> {
  const list = [...names].filter((ks) => ks.startsWith("wt_bench_"));
  if (list.length === 0) return;
  const client = await connect();
  try {
    for (const ks of list) await client.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
  } finally {
    await client.shutdown();
  }
}

/**
 * Everything the tables hold, read independently of wikitally's code, plus the row count of the users
 * table: unique_users_by_bucket for wikitally, the seed's unique_users for the naive store.
 */
export async function storedTotals(
  client: cassandra.Client,
  ks: string,
  usersTable = "unique_users_by_bucket",
): Promise<Expected & { unique_rows: number }> {
  const [summary, by_server_url, unique_rows] = await Promise.all([
    readSummary(client, ks),
    readServerCounts(client, ks),
    countRows(client, ks, usersTable),
  ]);
  return { ...summary, by_server_url, unique_rows };
}

/** The pid of the local Cassandra (`bun run db:up` writes it), or $CASSANDRA_PID; undefined when unknown. */
export function cassandraPid(): number | undefined {
  if (process.env.CASSANDRA_PID) return Number(process.env.CASSANDRA_PID);
  const port = CASSANDRA_HOST.split(",")[0]!.split(":")[1] ?? "9042";
  const file = join(ROOT, ".cache", "cassandra", port, "cassandra.pid");
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  return existsSync(`/proc/${pid}/stat`) ? pid : undefined;
}

/**
 * Waits until the local Cassandra has used under `maxCores` of CPU for two windows of 250 ms in a row
 * (at most `timeoutMs`), and returns the ms waited: a measurement of Cassandra's CPU should not start
 * while it still works on what came before (a new keyspace's schema, a dropped one). Here it was
 * quiet at the first two windows in every run so far; the wait is a guard, not a known cost.
 */
export async function cassandraQuiet(maxCores = 0.1, timeoutMs = 15_000): Promise<number> {
  const pid = cassandraPid();
  if (pid === undefined) return 0;
  const started = performance.now();
  let quiet = 0;
  while (quiet < 2 && performance.now() - started < timeoutMs) {
    const busy = cpuMeter(pid)!;
    await Bun.sleep(250);
    quiet = busy() / 250_000 < maxCores ? quiet + 1 : 0;
  }
  return Math.round(performance.now() - started);
}

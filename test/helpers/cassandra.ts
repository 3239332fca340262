// Access to the real Cassandra the tests run against, and the loud skip when there is none.
import { describe, test } from "bun:test";
import cassandra from "cassandra-driver";
import { DEFAULT_PORT, runningPid } from "../../db/cassandra/local.ts";
import { createLogger } from "../../src/log/logger.ts";
import { retry } from "../../src/retry/retry.ts";
import { CassandraStore, type CassandraStoreOptions } from "../../src/store/cassandra/cassandra-store.ts";
import { CassandraConnection, sharedPort } from "../../src/store/cassandra/connection.ts";
import { waitFor } from "./service.ts";

export const CASSANDRA_HOST = process.env.CASSANDRA_HOST ?? "127.0.0.1:9042";
export const CASSANDRA_REQUIRED = process.env.WIKITALLY_REQUIRE_CASSANDRA === "1";
const REQUIRED = CASSANDRA_REQUIRED;

async function probe(hosts = CASSANDRA_HOST): Promise<string | undefined> {
  const client = new cassandra.Client({
    contactPoints: hosts.split(","),
    ...portOf(hosts),
    localDataCenter: "datacenter1",
    socketOptions: { connectTimeout: 3000 },
  });
  try {
    await client.connect();
    await client.execute("SELECT release_version FROM system.local");
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.shutdown().catch(() => {});
  }
}

const unavailable = await probe();
if (unavailable !== undefined && !REQUIRED) {
  console.warn(
    `\n!!! Cassandra at ${CASSANDRA_HOST} is not reachable (${unavailable}).\n!!! The Cassandra tests are SKIPPED. Run \`bun run test\` to start a local Cassandra, or set CASSANDRA_HOST.\n`,
  );
}

/**
 * describe() for tests that need Cassandra. Without one they are skipped loudly, unless the run
 * requires Cassandra (WIKITALLY_REQUIRE_CASSANDRA=1, as `bun run test` and CI set), where they fail.
 */
export function describeCassandra(name: string, body: () => void): void {
  if (unavailable === undefined) describe(name, body);
  else if (REQUIRED)
    describe(name, () =>
      test("needs a reachable Cassandra", () => {
        throw new Error(`Cassandra at ${CASSANDRA_HOST} is not reachable: ${unavailable}`);
      }),
    );
  else describe.skip(name, body);
}

/** A keyspace name no other test uses. */
export function freshKeyspace(): string {
  return `wt_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

export function testConnection(keyspace: string, hosts = CASSANDRA_HOST): CassandraConnection {
  return new CassandraConnection(
    { hosts, keyspace, datacenter: "datacenter1", replication: "SimpleStrategy:1", retryMinMs: 50, retryMaxMs: 500 },
    createLogger("error"),
  );
}

/**
 * A Cassandra store on `keyspace` (stream "test-stream", flushed only when a test says so), opened and
 * ready, with its connection: tests that make a statement fail wrap the connection's client.
 */
export async function openTestStore(
  keyspace: string,
  options: Partial<CassandraStoreOptions> = {},
): Promise<{ store: CassandraStore; conn: CassandraConnection }> {
  const conn = testConnection(keyspace);
  const store = new CassandraStore(conn, { streamKey: "test-stream", flushIntervalMs: 60_000, ...options }, createLogger("error"));
  await store.open();
  await waitFor(
    async () => store.health().ready,
    (ready) => ready,
    30_000,
    "the Cassandra store to be ready",
  );
  return { store, conn };
}

/** A plain driver session for checking what the service wrote, independent of its code. */
export async function rawClient(hosts = CASSANDRA_HOST): Promise<cassandra.Client> {
  const client = new cassandra.Client({ contactPoints: hosts.split(","), ...portOf(hosts), localDataCenter: "datacenter1" });
  await client.connect();
  return client;
}

/**
 * Drops a test's keyspace. Retried: on a cluster, a node a test has just restarted may not have
 * pulled the schema yet, and a DROP it coordinates fails with "Unknown CF <table id>" (seen once in
 * CI) until it has caught up.
 */
export async function dropKeyspace(keyspace: string, hosts = CASSANDRA_HOST): Promise<void> {
  const client = await rawClient(hosts);
  try {
    await retry(() => client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`), { attempts: 6, backoff: { minMs: 500, maxMs: 5000 } });
  } finally {
    await client.shutdown();
  }
}

/**
 * The pid of the Cassandra under test, for pausing it: $CASSANDRA_PID, or the live node that
 * db/cassandra (`bun run test`, `bun run db:up`) started from this checkout for the port in
 * CASSANDRA_HOST. Undefined for a Cassandra started elsewhere.
 */
export function cassandraPid(): number | undefined {
  if (process.env.CASSANDRA_PID) return Number(process.env.CASSANDRA_PID);
  const port = Number(CASSANDRA_HOST.split(",")[0]!.split(":")[1] ?? DEFAULT_PORT);
  // The single node, or node 1 when the tests run on a local cluster (CASSANDRA_NODES=3).
  return runningPid(port) ?? runningPid(port, 1);
}

/** The three-node cluster (`bun db/cassandra/with-cassandra.ts --cluster`, as `bun run test` runs), if any. */
export const CLUSTER_HOST = process.env.CASSANDRA_CLUSTER_HOST;
const CLUSTER_REQUIRED = process.env.WIKITALLY_REQUIRE_CLUSTER === "1";
const clusterUnavailable = CLUSTER_HOST === undefined ? "CASSANDRA_CLUSTER_HOST is not set" : await probe(CLUSTER_HOST);
if (clusterUnavailable !== undefined && !CLUSTER_REQUIRED) {
  console.warn(
    `\n!!! No Cassandra cluster (${clusterUnavailable}).\n!!! The multi-node tests are SKIPPED. Run \`bun run test\`, which starts one.\n`,
  );
}

/** describe() for tests that need the multi-node cluster; skipped loudly without one, failing when it is required. */
export function describeCluster(name: string, body: () => void): void {
  if (clusterUnavailable === undefined) describe(name, body);
  else if (CLUSTER_REQUIRED)
    describe(name, () =>
      test("needs the three-node cluster", () => {
        throw new Error(`the Cassandra cluster is not reachable: ${clusterUnavailable}`);
      }),
    );
  else describe.skip(name, body);
}

/** Discovered nodes get this port, not their contact point's (see CassandraConnection). */
function portOf(hosts: string): { protocolOptions?: { port: number } } {
  const port = sharedPort(hosts.split(","));
  return port === undefined ? {} : { protocolOptions: { port } };
}

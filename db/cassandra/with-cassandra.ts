// Runs a command (e.g. the test suite) against a Cassandra of its own, started before and stopped after it, on
// free ports: a clone passes beside any other Cassandra (a user's own on 9042, another checkout's). CASSANDRA_HOST
// or CASSANDRA_PORT point it at a given one instead. With --cluster, also a three-node cluster (cluster.ts) for
// the multi-node tests, started once for the whole run.
import { rmSync } from "node:fs";
import { constants } from "node:os";
import type { Subprocess } from "bun";
import { clusterContactPoints, clusterDown, clusterUp, killCluster, nodeHost } from "./cluster.ts";
import { CLUSTER_NODES, freeCassandraPort } from "./free-ports.ts";
import { cassandraDown, cassandraUp, instanceDir, isCassandraReachable, killCassandra, portFromEnv } from "./local.ts";

const withCluster = process.argv[2] === "--cluster";
const command = process.argv.slice(withCluster ? 3 : 2);
if (command.length === 0) {
  console.error("usage: bun db/cassandra/with-cassandra.ts [--cluster] <command...>");
  process.exit(2);
}

/** Set by the user: reuse what answers there (or start it there). Unset: free ports of our own, removed after. */
const portGiven = Boolean(process.env.CASSANDRA_PORT);
const port = portGiven ? portFromEnv() : freeCassandraPort(withCluster);
/** The cluster's CQL port: its node 1 is on 127.0.0.1 too, so it cannot share the single node's port. */
const clusterPort = Number(process.env.CASSANDRA_CLUSTER_PORT || port + 1);
let ownsCassandra = false;
let ownsCluster = false;
let child: Subprocess | undefined;

async function stopOwned(): Promise<void> {
  await Promise.all([ownsCassandra ? cassandraDown(port) : undefined, ownsCluster ? clusterDown(clusterPort, CLUSTER_NODES) : undefined]);
  // A port of our own is never used again: its data would only pile up in .cache/cassandra.
  if (!portGiven) {
    if (ownsCassandra) rmSync(instanceDir(port), { recursive: true, force: true });
    if (ownsCluster) rmSync(instanceDir(clusterPort), { recursive: true, force: true });
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // With a command running, let it finish its teardown; the normal path below then stops Cassandra.
    if (child) {
      child.kill(signal);
      return;
    }
    // Still starting: a half-booted node is worthless, so kill it outright and leave at once.
    if (ownsCassandra) killCassandra(port);
    if (ownsCluster) killCluster(clusterPort, CLUSTER_NODES);
    process.exit(128 + constants.signals[signal]);
  });
}

/** CASSANDRA_HOST ("host" or "host:port") if it answers, else the local node on `port`, started if needed. */
async function contactPoint(): Promise<string> {
  const configured = process.env.CASSANDRA_HOST;
  if (configured) {
    const [, host = configured, configuredPort] = /^(.+?)(?::(\d+))?$/.exec(configured) ?? [];
    if (await isCassandraReachable(host, configuredPort ? Number(configuredPort) : port)) return configured;
    console.warn(`CASSANDRA_HOST=${configured} does not answer; using a local Cassandra on port ${port}.`);
  }
  if (portGiven && (await isCassandraReachable("127.0.0.1", port))) return `127.0.0.1:${port}`;
  ownsCassandra = true;
  return (await cassandraUp({ port })).contactPoint;
}

/** CASSANDRA_CLUSTER_HOST if it answers, else the local cluster on clusterPort, started if any node is missing. */
async function clusterHosts(): Promise<string> {
  const configured = process.env.CASSANDRA_CLUSTER_HOST;
  if (configured) {
    const [host = "", configuredPort] = configured.split(",")[0]!.split(":");
    if (await isCassandraReachable(host, Number(configuredPort ?? clusterPort))) return configured;
    console.warn(`CASSANDRA_CLUSTER_HOST=${configured} does not answer; using a local cluster on port ${clusterPort}.`);
  }
  const nodes = Array.from({ length: CLUSTER_NODES }, (_, i) => nodeHost(i + 1));
  const answering = await Promise.all(nodes.map((host) => isCassandraReachable(host, clusterPort)));
  if (answering.every(Boolean)) return clusterContactPoints(clusterPort, CLUSTER_NODES);
  ownsCluster = true;
  return clusterUp(clusterPort, CLUSTER_NODES);
}

let exitCode = 1;
try {
  // Started side by side: the single node and the cluster boot in about the time of the slower one.
  // CASSANDRA_CLUSTER_PORT = CASSANDRA_PORT runs everything on the cluster, its node 1 standing in for the single node.
  const [cassandraHost, clusterHost] =
    withCluster && clusterPort === port
      ? await clusterHosts().then((hosts) => [hosts.split(",")[0]!, hosts])
      : await Promise.all([contactPoint(), withCluster ? clusterHosts() : undefined]);
  child = Bun.spawn(command, {
    stdio: ["inherit", "inherit", "inherit"],
    env: {
      ...process.env,
      CASSANDRA_HOST: cassandraHost,
      WIKITALLY_REQUIRE_CASSANDRA: "1",
      ...(clusterHost ? { CASSANDRA_CLUSTER_HOST: clusterHost, WIKITALLY_REQUIRE_CLUSTER: "1" } : {}),
    },
  });
  // Bun reports a command killed by a signal as 128 + its number, like a shell.
  exitCode = await child.exited;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await stopOwned();
}
process.exit(exitCode);

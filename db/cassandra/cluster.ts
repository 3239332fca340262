// A local multi-node Cassandra cluster for CASSANDRA_NODES=N: node N on 127.0.0.N, all on one CQL port.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, policies, types } from "cassandra-driver";
import { retry } from "../../src/retry/retry.ts";
import { cassandraDown, cassandraVersion, instanceDir, killCassandra, resolveJars, runningPid, startNode, type NodeSpec } from "./local.ts";

const MAX_NODES = 9;
const HERE = import.meta.dir;

/** CASSANDRA_NODES, else 1 (the single default node). */
export function nodesFromEnv(): number {
  const raw = process.env.CASSANDRA_NODES;
  if (raw === undefined || raw === "") return 1;
  const nodes = Number(raw);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES)
    throw new Error(`CASSANDRA_NODES=${raw} is not a node count from 1 to ${MAX_NODES}`);
  return nodes;
}

/** Loopback addresses 127.0.0.2 and up need no set-up on Linux: all of 127/8 is local. */
export const nodeHost = (node: number) => `127.0.0.${node}`;

/** The CASSANDRA_HOST value for a cluster: every node's host:port. */
export function clusterContactPoints(port: number, nodes: number): string {
  return Array.from({ length: nodes }, (_, i) => `${nodeHost(i + 1)}:${port}`).join(",");
}

/** Evenly spaced Murmur3 tokens, one per node, so empty nodes join without bootstrap streaming. */
function token(node: number, nodes: number): string {
  const step = 2n ** 64n / BigInt(nodes);
  return (-(2n ** 63n) + BigInt(node - 1) * step).toString();
}

/** cassandra.yaml with this node's addresses, every node as a seed, hints on, no bootstrap. */
function nodeConfig(port: number, node: number, nodes: number): string {
  const host = nodeHost(node);
  const seeds = Array.from({ length: nodes }, (_, i) => nodeHost(i + 1)).join(",");
  const replace = (yaml: string, from: string, to: string) => {
    if (!yaml.includes(from)) throw new Error(`cassandra.yaml has no "${from}" line to replace`);
    return yaml.replace(from, to);
  };
  let yaml = readFileSync(join(HERE, "cassandra.yaml"), "utf8");
  yaml = replace(yaml, 'seeds: "127.0.0.1"', `seeds: "${seeds}"`);
  yaml = replace(yaml, "listen_address: 127.0.0.1", `listen_address: ${host}`);
  yaml = replace(yaml, "rpc_address: 127.0.0.1", `rpc_address: ${host}`);
  // A node that was down gets the writes it missed from the others' hints when it is back.
  yaml = replace(yaml, "hinted_handoff_enabled: false", "hinted_handoff_enabled: true");
  yaml += "\n# Written by cluster.ts: the nodes start empty with fixed tokens.\nauto_bootstrap: false\n";
  const dir = instanceDir(port, node);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "cassandra.yaml");
  writeFileSync(file, yaml);
  return file;
}

function nodeSpec(port: number, node: number, nodes: number): NodeSpec {
  return {
    port,
    node,
    host: nodeHost(node),
    config: nodeConfig(port, node, nodes),
    // Three JVMs share two cores and the tests' memory: half the single node's heap each.
    initialToken: token(node, nodes),
    heap: "512M",
  };
}

/** Starts one node of the cluster again (e.g. after a test killed it) and waits until the ring is whole. */
export async function nodeUp(port: number, node: number, nodes: number): Promise<void> {
  await startNode(nodeSpec(port, node, nodes));
  await waitForRing(port, nodes);
}

/** Starts (or reuses) every node at once and resolves with the contact points once all see each other. */
export async function clusterUp(port: number, nodes: number, fresh = false): Promise<string> {
  await resolveJars(cassandraVersion());
  const startedAt = Date.now();
  try {
    await Promise.all(Array.from({ length: nodes }, (_, i) => startNode(nodeSpec(port, i + 1, nodes), fresh)));
    await waitForRing(port, nodes);
  } catch (error) {
    killCluster(port, nodes);
    throw error;
  }
  console.log(`Cassandra cluster of ${nodes} ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  return clusterContactPoints(port, nodes);
}

/**
 * Gossip takes a moment after CQL answers: waits until every node knows every other one, then until
 * every node, as coordinator, can write and read at ALL in a keyspace replicated to every node.
 */
async function waitForRing(port: number, nodes: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  // Before any schema change: a node that joins just after a keyspace is made may never pull it
  // (seen once: node 3 came up 0.2 s after the check table was made, and answered every write to it
  // with UnknownTableException for the two minutes that followed).
  for (let node = 1; node <= nodes; node++) {
    await withNode(port, node, (client, host) =>
      untilDone(deadline, `node ${host} does not know every other node`, async () => {
        const peers = (await client.execute("SELECT peer FROM system.peers_v2")).rows.length;
        if (peers < nodes - 1) throw new Error(`it knows ${peers} of ${nodes - 1}`);
      }),
    );
  }
  const all = types.consistencies.all;
  for (let node = 1; node <= nodes; node++) {
    let failingSince: number | undefined;
    await withNode(port, node, (client, host) =>
      untilDone(deadline, `node ${host} does not see the whole cluster`, async () => {
        try {
          await client.execute(
            `CREATE KEYSPACE IF NOT EXISTS local_ring_check WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${nodes}}`,
          );
          await client.execute("CREATE TABLE IF NOT EXISTS local_ring_check.t (k int PRIMARY KEY)");
          await client.execute("INSERT INTO local_ring_check.t (k) VALUES (?)", [node], { prepare: true, consistency: all });
          await client.execute("SELECT k FROM local_ring_check.t WHERE k = ?", [node], { prepare: true, consistency: all });
        } catch (error) {
          // Still failing after 20 s: make the keyspace anew, so every node that is up now is sent its schema.
          failingSince ??= Date.now();
          if (Date.now() - failingSince > 20_000) {
            failingSince = undefined;
            await client.execute("DROP KEYSPACE IF EXISTS local_ring_check").catch(() => undefined);
          }
          throw error;
        }
      }),
    );
  }
}

/** Runs `work` with a driver client that talks to node N only. */
async function withNode(port: number, node: number, work: (client: Client, host: string) => Promise<void>): Promise<void> {
  const host = nodeHost(node);
  const client = new Client({
    contactPoints: [`${host}:${port}`],
    localDataCenter: "datacenter1",
    policies: {
      loadBalancing: new policies.loadBalancing.WhiteListPolicy(new policies.loadBalancing.RoundRobinPolicy(), [`${host}:${port}`]),
    },
  });
  try {
    await work(client, host);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

/** Retries `attempt` about every second until it succeeds; past `deadline`, throws `what` with the last error. */
async function untilDone(deadline: number, what: string, attempt: () => Promise<void>): Promise<void> {
  try {
    await retry(attempt, { backoff: { minMs: 1000, maxMs: 1000 }, signal: AbortSignal.timeout(Math.max(0, deadline - Date.now())) });
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`);
  }
}

/** SIGKILL every node of the cluster, synchronously (a failed or interrupted start). */
export function killCluster(port: number, nodes: number): void {
  for (let node = 1; node <= nodes; node++) killCassandra(port, node);
}

/** Stops every node, all at once. */
export async function clusterDown(port: number, nodes: number): Promise<void> {
  await Promise.all(Array.from({ length: nodes }, (_, i) => cassandraDown(port, i + 1)));
}

/** The pid of node N, when local.ts started it. */
export const nodePid = (port: number, node: number) => runningPid(port, node);

// A CQL port for a Cassandra of our own, chosen so that every port that node (and the cluster beside it) binds is free.
import { nodeHost } from "./cluster.ts";

/** Nodes of the cluster with-cassandra.ts starts beside the single node. */
export const CLUSTER_NODES = 3;

/** Below Linux's ephemeral range (32768 and up), so no outgoing connection takes a port before the node binds it. */
const LOW = 20_000;
const HIGH = 30_000;

/** True if `host:port` can be bound now. */
export function isFree(host: string, port: number): boolean {
  try {
    Bun.listen({ hostname: host, port, socket: { data() {} } }).stop(true);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every host:port a node on CQL port `port` binds: its CQL port and its storage port (CQL + 1000,
 * see local.ts); with `cluster`, also the cluster's nodes on 127.0.0.1..N at CQL port + 1 and + 1001.
 */
export function portsFor(port: number, cluster: boolean): Array<[host: string, port: number]> {
  const single: Array<[string, number]> = [
    ["127.0.0.1", port],
    ["127.0.0.1", port + 1000],
  ];
  if (!cluster) return single;
  const nodes = Array.from({ length: CLUSTER_NODES }, (_, i) => nodeHost(i + 1));
  return [
    ...single,
    ...nodes.flatMap(
      (host): Array<[string, number]> => [
        [host, port + 1],
        [host, port + 1001],
      ],
    ),
  ];
}

function* randomPorts(): Generator<number> {
  for (;;) yield LOW + Math.floor(Math.random() * (HIGH - LOW));
}

/** The first candidate whose every port (portsFor) is free; random ones from 20000-29999 by default. */
export function freeCassandraPort(cluster: boolean, candidates: Iterable<number> = randomPorts(), attempts = 200): number {
  let tried = 0;
  for (const port of candidates) {
    if (portsFor(port, cluster).every(([host, p]) => isFree(host, p))) return port;
    if (++tried >= attempts) break;
  }
  throw new Error(`no free CQL port found in ${tried} tries (each needs ${portsFor(0, cluster).length} free ports)`);
}

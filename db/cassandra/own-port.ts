// A CQL port for a Cassandra of this run's own: free on every loopback address the single node and the
// three-node cluster bind, together with the ports derived from it.
import { createServer } from "node:net";

/** The loopback addresses the single node (127.0.0.1) and the cluster's nodes (127.0.0.1-3) listen on. */
const HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3"];
/** From a CQL port P: the cluster's CQL port P + 1, and the storage (gossip) ports P + 1000 and P + 1001. */
const OFFSETS = [0, 1, 1000, 1001];
/** Inside the registered range, below the kernel's usual ephemeral ports, so an outgoing socket cannot take it. */
const FIRST = 20_000;
const LAST = 30_000;

function bindable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True when P and every port derived from it can be bound on every address. */
export async function portsFree(port: number, hosts: readonly string[] = HOSTS): Promise<boolean> {
  for (const host of hosts) for (const offset of OFFSETS) if (!(await bindable(host, port + offset))) return false;
  return true;
}

/** A random CQL port in [FIRST, LAST) whose derived ports are all free; throws after `tries` misses. */
export async function ownPort(random: () => number = Math.random, tries = 50): Promise<number> {
  for (let i = 0; i < tries; i++) {
    const port = FIRST + Math.floor(random() * (LAST - FIRST - 1001));
    if (await portsFree(port)) return port;
  }
  throw new Error(`no free Cassandra ports found in ${FIRST}-${LAST} after ${tries} tries`);
}

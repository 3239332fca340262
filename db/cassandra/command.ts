// `bun run db:up` / `db:down` / `bun db/cassandra/command.ts status`: a local Cassandra node, or a cluster with CASSANDRA_NODES.
import { constants } from "node:os";
import { clusterDown, clusterUp, killCluster, nodeHost, nodesFromEnv } from "./cluster.ts";
import { cassandraDown, cassandraUp, HOST, killCassandra, portFromEnv, releaseVersion, runningPid } from "./local.ts";

async function main(args: string[]): Promise<number> {
  const [command, ...flags] = args;
  const port = portFromEnv();
  const nodes = nodesFromEnv();
  switch (command) {
    case "up": {
      const unknown = flags.filter((flag) => flag !== "--fresh");
      if (unknown.length > 0) throw new Error(`unknown flag(s) for up: ${unknown.join(" ")}`);
      // Interrupting a start should not leave a half-booted server behind, but must not kill one we did not start.
      const before = runningPid(port);
      const abort = (signal: NodeJS.Signals) => {
        if (nodes > 1) killCluster(port, nodes);
        else if (runningPid(port) !== before) killCassandra(port);
        process.exit(128 + constants.signals[signal]);
      };
      process.once("SIGINT", abort);
      process.once("SIGTERM", abort);
      const hosts =
        nodes > 1
          ? await clusterUp(port, nodes, flags.includes("--fresh"))
          : (await cassandraUp({ port, fresh: flags.includes("--fresh") })).contactPoint;
      process.off("SIGINT", abort);
      process.off("SIGTERM", abort);
      console.log(`CASSANDRA_HOST=${hosts}`);
      return 0;
    }
    case "down":
      if (nodes > 1) await clusterDown(port, nodes);
      else await cassandraDown(port);
      return 0;
    case "status": {
      let answering = 0;
      for (let node = nodes > 1 ? 1 : 0; node <= (nodes > 1 ? nodes : 0); node++) {
        const host = node === 0 ? HOST : nodeHost(node);
        const version = await releaseVersion(host, port);
        const pid = runningPid(port, node);
        const owner = pid === undefined ? "" : ` (pid ${pid} from local.ts)`;
        console.log(
          version === undefined
            ? `Nothing answers CQL at ${host}:${port}${owner}.`
            : `Cassandra ${version} answers at ${host}:${port}${owner}.`,
        );
        if (version !== undefined) answering++;
      }
      return answering === nodes ? 0 : 1;
    }
    default:
      console.error(
        "usage: bun db/cassandra/command.ts up [--fresh] | down | status   (CASSANDRA_PORT, default 9042; CASSANDRA_NODES, default 1)",
      );
      return 2;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}

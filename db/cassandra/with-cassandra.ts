// Runs a command (e.g. the test suite) against a reachable Cassandra, starting and afterwards stopping a local one if none answers.
import { constants } from "node:os";
import type { Subprocess } from "bun";
import { cassandraDown, cassandraUp, isCassandraReachable, killCassandra, portFromEnv } from "./local.ts";

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error("usage: bun db/cassandra/with-cassandra.ts <command...>");
  process.exit(2);
}

const port = portFromEnv();
let ownsCassandra = false;
let child: Subprocess | undefined;

async function stopOwned(): Promise<void> {
  if (ownsCassandra) await cassandraDown(port);
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
    process.exit(128 + constants.signals[signal]);
  });
}

/** CASSANDRA_HOST ("host" or "host:port") if it answers, else the local node on CASSANDRA_PORT, started if needed. */
async function contactPoint(): Promise<string> {
  const configured = process.env.CASSANDRA_HOST;
  if (configured) {
    const [, host = configured, configuredPort] = /^(.+?)(?::(\d+))?$/.exec(configured) ?? [];
    if (await isCassandraReachable(host, configuredPort ? Number(configuredPort) : port)) return configured;
    console.warn(`CASSANDRA_HOST=${configured} does not answer; using a local Cassandra on port ${port}.`);
  }
  if (await isCassandraReachable("127.0.0.1", port)) return `127.0.0.1:${port}`;
  ownsCassandra = true;
  return (await cassandraUp({ port })).contactPoint;
}

let exitCode = 1;
try {
  const cassandraHost = await contactPoint();
  child = Bun.spawn(command, {
    stdio: ["inherit", "inherit", "inherit"],
    env: { ...process.env, CASSANDRA_HOST: cassandraHost, WIKITALLY_REQUIRE_CASSANDRA: "1" },
  });
  // Bun reports a command killed by a signal as 128 + its number, like a shell.
  exitCode = await child.exited;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await stopOwned();
}
process.exit(exitCode);

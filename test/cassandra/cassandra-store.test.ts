// Runs the StatsStore contract against the Cassandra store on a real Cassandra.
import { afterAll, setDefaultTimeout } from "bun:test";
import { createLogger } from "../../src/log/logger.ts";
import { CassandraStore } from "../../src/store/cassandra/cassandra-store.ts";
import type { NewUserCheck } from "../../src/store/cassandra/new-users.ts";
import { statsStoreContract, type StoreLimits } from "../../src/store/stats-store.contract.ts";
import { describeCassandra, dropKeyspace, freshKeyspace, testConnection } from "../helpers/cassandra.ts";
import { fixturePayloads } from "../helpers/fixtures.ts";
import { waitFor } from "../helpers/service.ts";

// Real servers (and Cassandra) take longer than the 5 s default on a 2-core machine.
setDefaultTimeout(60_000);

const keyspaces: string[] = [];

async function openStore(keyspace: string, newUserCheck: NewUserCheck, limits: StoreLimits = {}): Promise<CassandraStore> {
  const store = new CassandraStore(
    testConnection(keyspace),
    { streamKey: "test-stream", flushIntervalMs: 60_000, newUserCheck, ...limits },
    createLogger("error"),
  );
  await store.open();
  await waitFor(async () => store.health().ready, (ready) => ready, 30_000, "the Cassandra store to be ready");
  return store;
}

describeCassandra("Cassandra store", () => {
  afterAll(async () => {
    for (const keyspace of keyspaces) await dropKeyspace(keyspace);
  }, 120_000);

  for (const check of ["read-then-insert", "lwt"] as const) {
    let current = "";
    statsStoreContract(`cassandra, new users by ${check}`, {
      async create(limits) {
        current = freshKeyspace();
        keyspaces.push(current);
        return openStore(current, check, limits);
      },
      async reopen(limits) {
        return openStore(current, check, limits);
      },
    }, fixturePayloads);
  }
});

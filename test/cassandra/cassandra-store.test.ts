// Runs the StatsStore contract against the Cassandra store on a real Cassandra.
import { afterAll } from "bun:test";
import type { CassandraStore } from "../../src/store/cassandra/cassandra-store.ts";
import type { NewUserCheck } from "../../src/store/cassandra/new-users.ts";
import { statsStoreContract, type StoreLimits } from "../store/stats-store.contract.ts";
import { describeCassandra, dropKeyspace, freshKeyspace, openTestStore } from "../helpers/cassandra.ts";
import { fixturePayloads } from "../helpers/fixtures.ts";

const keyspaces: string[] = [];

async function openStore(keyspace: string, newUserCheck: NewUserCheck, limits: StoreLimits = {}): Promise<CassandraStore> {
  return (await openTestStore(keyspace, { newUserCheck, ...limits })).store;
}

describeCassandra("Cassandra store", () => {
  afterAll(async () => {
    for (const keyspace of keyspaces) await dropKeyspace(keyspace);
  }, 120_000);

  for (const check of ["read-then-insert", "lwt"] as const) {
    let current = "";
    statsStoreContract(
      `cassandra, new users by ${check}`,
      {
        async create(limits) {
          current = freshKeyspace();
          keyspaces.push(current);
          return openStore(current, check, limits);
        },
        async reopen(limits) {
          return openStore(current, check, limits);
        },
      },
      fixturePayloads,
    );
  }
});

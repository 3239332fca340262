// Runs the StatsStore contract against the in-memory store.
import { fixturePayloads } from "../../test/helpers/fixtures.ts";
import { MemoryStore } from "./memory-store.ts";
import { statsStoreContract } from "../../test/store/stats-store.contract.ts";

statsStoreContract(
  "in-memory",
  {
    async create(limits) {
      const store = new MemoryStore(limits);
      await store.open();
      return store;
    },
  },
  fixturePayloads,
);

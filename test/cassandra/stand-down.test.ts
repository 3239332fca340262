// A holder that stands down after a flush wrote its counters but not its position: when it leads
// again it resumes from the saved position, so the counts that landed must not stay counted twice.
import { afterAll, expect, test } from "bun:test";
import cassandra from "cassandra-driver";
import { describeCassandra, dropKeyspace, freshKeyspace, openTestStore, rawClient } from "../helpers/cassandra.ts";
import { readServerCounts, readSummary } from "../helpers/cassandra-tables.ts";
import { changeEvent } from "../helpers/events.ts";

const keyspaces: string[] = [];

const events = [
  changeEvent({ user: "Ann", bot: false, serverUrl: "https://en.wikipedia.org" }),
  changeEvent({ user: "Bot", bot: true, serverUrl: "https://www.wikidata.org" }),
  changeEvent({ user: "Cy", bot: false, serverUrl: "https://en.wikipedia.org" }),
];
const later = [
  changeEvent({ user: "Dee", bot: false, serverUrl: "https://www.wikidata.org" }),
  changeEvent({ user: "Ann", bot: false, serverUrl: "https://fr.wikipedia.org" }),
];

/** A store whose next write of its stream position times out unsent (then works again). */
async function openStore(keyspace: string) {
  const { store, conn } = await openTestStore(keyspace);
  const client = await conn.whenReady();
  const execute = client.execute.bind(client) as (...args: unknown[]) => Promise<unknown>;
  let failPosition = false;
  (client as { execute: unknown }).execute = (query: string, ...rest: unknown[]) => {
    if (failPosition && query.includes("INSERT INTO") && query.includes("stream_offsets")) {
      failPosition = false;
      return Promise.reject(new cassandra.errors.OperationTimedOutError("timed out", "127.0.0.1:9042"));
    }
    return execute(query, ...rest);
  };
  return { store, failNextPosition: () => (failPosition = true) };
}

async function stored(ks: string) {
  const client = await rawClient();
  try {
    return { ...(await readSummary(client, ks)), by_server_url: await readServerCounts(client, ks) };
  } finally {
    await client.shutdown();
  }
}

const expected = {
  messages: 5,
  bots: 1,
  non_bots: 4,
  distinct_users: 4,
  by_server_url: { "https://en.wikipedia.org": 2, "https://www.wikidata.org": 2, "https://fr.wikipedia.org": 1 },
};

describeCassandra("standing down between a flush's counters and its position", () => {
  afterAll(async () => {
    for (const ks of keyspaces) await dropKeyspace(ks);
  }, 120_000);

  test("leading again, it takes the landed counts back before reading their events again, and ends exact", async () => {
    const ks = freshKeyspace();
    keyspaces.push(ks);
    const { store, failNextPosition } = await openStore(ks);
    try {
      for (const event of events) store.add(event);
      store.setPosition("p1");
      await store.flush();
      for (const event of later) store.add(event);
      store.setPosition("p2");
      failNextPosition();
      await expect(store.flush()).rejects.toThrow("timed out");
      // The counters of `later` landed; the position still says p1.
      expect((await stored(ks)).messages).toBe(5);

      await store.discardPending();
      await store.takeOver();
      expect(await store.position()).toBe("p1");
      expect((await stored(ks)).messages).toBe(3);
      // The stream resumes after p1: `later` is read and counted again, once.
      for (const event of later) store.add(event);
      store.setPosition("p2");
      await store.flush();
      expect(await stored(ks)).toEqual(expected);
      expect(await store.stats()).toEqual(expected);
    } finally {
      await store.close();
    }
  });
});

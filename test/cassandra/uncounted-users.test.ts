// A holder that stops between inserting a flush's new users and incrementing user_count leaves them in
// the table uncounted: whoever leads next must count them, or distinct_users stays short for good.
import { afterAll, expect, test } from "bun:test";
import { describeCassandra, dropKeyspace, freshKeyspace, openTestStore, rawClient } from "../helpers/cassandra.ts";
import { readSummary } from "../helpers/cassandra-tables.ts";
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

/** A store whose counter batches fail, unsent, while `failCounters` is set (its user inserts go through). */
async function openStore(keyspace: string) {
  const { store, conn } = await openTestStore(keyspace);
  const client = await conn.whenReady();
  const batch = client.batch.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const control = { failCounters: false };
  (client as { batch: unknown }).batch = (queries: { query: string }[], ...rest: unknown[]) => {
    if (control.failCounters && queries.some((q) => q.query.includes("user_count"))) {
      return Promise.reject(new Error("injected: the holder stopped before counting"));
    }
    return batch(queries, ...rest);
  };
  return { store, control };
}

async function stored(ks: string) {
  const client = await rawClient();
  try {
    const users = (await client.execute(`SELECT username FROM ${ks}.unique_users_by_bucket`)).rows.length;
    return { ...(await readSummary(client, ks)), users };
  } finally {
    await client.shutdown();
  }
}

describeCassandra("users inserted but not counted when a holder stops", () => {
  afterAll(async () => {
    for (const ks of keyspaces) await dropKeyspace(ks);
  }, 120_000);

  test("another instance taking the lease counts them, and then counts each user once", async () => {
    const ks = freshKeyspace();
    keyspaces.push(ks);
    const first = await openStore(ks);
    try {
      await first.store.takeOver();
      for (const event of events) first.store.add(event);
      first.store.setPosition("p1");
      first.control.failCounters = true;
      await expect(first.store.flush()).rejects.toThrow("injected");
      // The three users are in the table; no counter, not even the position, was written.
      expect(await stored(ks)).toEqual({ messages: 0, bots: 0, non_bots: 0, distinct_users: 0, users: 3 });
      await first.store.discardPending();
    } finally {
      await first.store.close();
    }

    const second = await openStore(ks);
    try {
      await second.store.takeOver();
      expect((await stored(ks)).distinct_users).toBe(3);
      // It resumes from the saved position (none): every event is read again, and Ann once more later.
      expect(await second.store.position()).toBeUndefined();
      for (const event of [...events, ...later]) second.store.add(event);
      second.store.setPosition("p2");
      await second.store.flush();
      expect(await stored(ks)).toEqual({ messages: 5, bots: 1, non_bots: 4, distinct_users: 4, users: 4 });
      expect((await second.store.stats()).distinct_users).toBe(4);
    } finally {
      await second.store.close();
    }
  });

  test("the holder that stopped, leading again, counts them once: at taking over, not again when it sees them", async () => {
    const ks = freshKeyspace();
    keyspaces.push(ks);
    const { store, control } = await openStore(ks);
    try {
      await store.takeOver();
      for (const event of events) store.add(event);
      store.setPosition("p1");
      control.failCounters = true;
      await expect(store.flush()).rejects.toThrow("injected");
      control.failCounters = false;
      await store.discardPending();
      await store.takeOver();
      expect((await stored(ks)).distinct_users).toBe(3);
      for (const event of [...events, ...later]) store.add(event);
      store.setPosition("p2");
      await store.flush();
      expect(await stored(ks)).toEqual({ messages: 5, bots: 1, non_bots: 4, distinct_users: 4, users: 4 });
    } finally {
      await store.close();
    }
  });
});

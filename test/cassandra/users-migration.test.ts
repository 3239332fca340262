// Keyspaces from before unique_users_by_bucket: the first holder copies unique_users once, and a holder
// that knows every user counts new ones without reading. Both must keep distinct_users exact.
import { afterAll, expect, test } from "bun:test";
import type { CassandraStore } from "../../src/store/cassandra/cassandra-store.ts";
import { USERS_MIGRATION } from "../../src/store/cassandra/migrate-users.ts";
import { describeCassandra, dropKeyspace, freshKeyspace, openTestStore, rawClient, testConnection } from "../helpers/cassandra.ts";
import { changeEvent } from "../helpers/events.ts";

const keyspaces: string[] = [];

async function openStore(keyspace: string, knownUsersLimit?: number): Promise<CassandraStore> {
  return (await openTestStore(keyspace, knownUsersLimit === undefined ? {} : { knownUsersLimit })).store;
}

/** A keyspace as an older wikitally left it: users in unique_users only, counted in user_count. */
async function legacyKeyspace(users: string[]): Promise<string> {
  const ks = freshKeyspace();
  keyspaces.push(ks);
  const schema = testConnection(ks);
  await schema.whenReady();
  await schema.close();
  const client = await rawClient();
  try {
    for (const user of users) await client.execute(`INSERT INTO ${ks}.unique_users (username) VALUES (?)`, [user], { prepare: true });
    await client.execute(`UPDATE ${ks}.user_count SET distinct_users = distinct_users + ? WHERE id = 'global'`, [users.length], {
      prepare: true,
    });
  } finally {
    await client.shutdown();
  }
  return ks;
}

async function rows(ks: string, query: string): Promise<string[]> {
  const client = await rawClient();
  try {
    return (await client.execute(query.replace("$ks", ks), [], { fetchSize: 100_000 })).rows.map((r) => String(r[r.keys()[0]!]));
  } finally {
    await client.shutdown();
  }
}

const event = (user: string) => changeEvent({ user, bot: false, serverUrl: "https://en.wikipedia.org" });

describeCassandra("unique_users_by_bucket", () => {
  afterAll(async () => {
    for (const ks of keyspaces) await dropKeyspace(ks);
  }, 120_000);

  const legacy = Array.from({ length: 300 }, (_, i) => `Legacy ${i}`);

  for (const limit of [undefined, 100] as const) {
    const known = limit === undefined ? "every user known" : "more users than it may remember";
    test(`the first holder copies unique_users once; re-seen legacy users are not new (${known})`, async () => {
      const ks = await legacyKeyspace(legacy);
      const store = await openStore(ks, limit);
      try {
        await store.takeOver();
        for (const user of [...legacy.slice(0, 150), "Fresh 1", "Fresh 2", "Legacy 7", "Fresh 1"]) store.add(event(user));
        await store.flush();
        const stats = await store.stats();
        expect(stats.distinct_users).toBe(302);
        expect(stats.messages).toBe(154);
      } finally {
        await store.close();
      }
      const bucketed = await rows(ks, "SELECT username FROM $ks.unique_users_by_bucket");
      expect(bucketed.sort()).toEqual([...legacy, "Fresh 1", "Fresh 2"].sort());
      expect(await rows(ks, `SELECT name FROM $ks.migrations WHERE name = '${USERS_MIGRATION}'`)).toEqual([USERS_MIGRATION]);
      expect(await rows(ks, "SELECT distinct_users FROM $ks.user_count WHERE id = 'global'")).toEqual(["302"]);
    });
  }

  test("the copy runs once: a row added to unique_users later is not copied by the next holder", async () => {
    const ks = await legacyKeyspace(["Old"]);
    const first = await openStore(ks);
    await first.takeOver();
    await first.close();
    const client = await rawClient();
    await client.execute(`INSERT INTO ${ks}.unique_users (username) VALUES ('Late')`);
    await client.shutdown();
    const second = await openStore(ks);
    try {
      await second.takeOver();
      second.add(event("Late"));
      await second.flush();
      // Not copied, so Late counts as a new user: the copy is a one-off upgrade, not a sync.
      expect((await second.stats()).distinct_users).toBe(2);
    } finally {
      await second.close();
    }
  });

  test("a holder that knows every user still counts exactly across flushes that overlap a re-seen user", async () => {
    const ks = await legacyKeyspace([]);
    const store = await openStore(ks);
    try {
      await store.takeOver();
      for (let i = 0; i < 50; i++) store.add(event(`U${i % 20}`));
      const flushing = store.flush();
      // Seen again while the first flush is in flight: still one user each.
      for (let i = 0; i < 50; i++) store.add(event(`U${i % 30}`));
      await flushing;
      await store.flush();
      expect((await store.stats()).distinct_users).toBe(30);
    } finally {
      await store.close();
    }
    expect(await rows(ks, "SELECT distinct_users FROM $ks.user_count WHERE id = 'global'")).toEqual(["30"]);
  });
});

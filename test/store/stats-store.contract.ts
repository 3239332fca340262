// The behaviour every StatsStore must have; run against each implementation by its own test file.
import { afterEach, describe, expect, test } from "bun:test";
import { expectFixtureStats } from "../helpers/fixtures.ts";
import { classify } from "../../src/stats/classify.ts";
import type { ChangeEvent } from "../../src/stats/types.ts";
import type { StatsStore } from "../../src/store/stats-store.ts";
import { changeEvent } from "../helpers/events.ts";

export interface StoreLimits {
  maxServerUrls?: number;
}

interface ContractSubject {
  /** A new, empty store, opened and ready. */
  create(limits?: StoreLimits): Promise<StatsStore>;
  /** A second store over the same durable data, or undefined when the store keeps nothing. */
  reopen?(limits?: StoreLimits): Promise<StatsStore>;
}

const ev = (user: string | undefined, bot: boolean, serverUrl: string | undefined): ChangeEvent => changeEvent({ user, bot, serverUrl });

export function statsStoreContract(name: string, subject: ContractSubject, payloads: () => string[]): void {
  describe(`StatsStore contract: ${name}`, () => {
    const open: StatsStore[] = [];
    const create = async (limits?: StoreLimits) => {
      const store = await subject.create(limits);
      open.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
    });

    test("starts empty", async () => {
      const store = await create();
      expect(await store.stats()).toEqual({ messages: 0, distinct_users: 0, bots: 0, non_bots: 0, by_server_url: {} });
      expect(await store.position()).toBeUndefined();
    });

    test("counts messages, bots, distinct users and servers, before and after a flush", async () => {
      const store = await create();
      store.add(ev("Alice", false, "https://en.wikipedia.org"));
      store.add(ev("Alice", false, "https://de.wikipedia.org"));
      store.add(ev("Bot1", true, "https://en.wikipedia.org"));
      store.add(ev(undefined, false, undefined));
      const want = { messages: 4, bots: 1, non_bots: 3, by_server_url: { "https://en.wikipedia.org": 2, "https://de.wikipedia.org": 1 } };
      expect(await store.stats()).toMatchObject(want);
      await store.flush();
      expect(await store.stats()).toEqual({ ...want, distinct_users: 2 });
    });

    test("does not count a flushed event twice when flushed again", async () => {
      const store = await create();
      store.add(ev("Carol", true, "https://fr.wikipedia.org"));
      await store.flush();
      await store.flush();
      store.add(ev("Carol", false, "https://fr.wikipedia.org"));
      await store.flush();
      expect(await store.stats()).toEqual({
        messages: 2,
        distinct_users: 1,
        bots: 1,
        non_bots: 1,
        by_server_url: { "https://fr.wikipedia.org": 2 },
      });
    });

    test("gives PROVENANCE.md's figures for the recorded captures", async () => {
      const store = await create();
      for (const data of payloads()) {
        const verdict = classify(data);
        if (typeof verdict === "object") store.add(verdict);
      }
      await store.flush();
      expectFixtureStats(await store.stats());
    });

    test("keeps at most maxServerUrls server URLs; events of others count everywhere else, and add() says so", async () => {
      const store = await create({ maxServerUrls: 2 });
      const added = [
        store.add(ev("A", false, "https://a.org")),
        store.add(ev("B", true, "https://b.org")),
        store.add(ev("C", false, "https://c.org")),
        store.add(ev("A", false, "https://a.org")),
        store.add(ev("D", false, undefined)),
      ];
      expect(added).toEqual([true, true, false, true, true]);
      await store.flush();
      expect(await store.stats()).toEqual({
        messages: 5,
        distinct_users: 4,
        bots: 1,
        non_bots: 4,
        by_server_url: { "https://a.org": 2, "https://b.org": 1 },
      });
    });

    test("reports itself ready and keeps nothing pending after a flush", async () => {
      const store = await create();
      store.add(ev("Dan", false, "https://en.wikipedia.org"));
      await store.flush();
      expect(store.health()).toMatchObject({ ready: true, pendingEvents: 0 });
    });

    if (subject.reopen) {
      const reopen = subject.reopen.bind(subject);
      test("keeps totals, users and the stream position across close and reopen", async () => {
        const first = await subject.create();
        first.add(ev("Erin", false, "https://en.wikipedia.org"));
        first.add(ev("Erin", true, "https://en.wikipedia.org"));
        first.setPosition('[{"offset":41}]');
        await first.close();
        const second = await reopen();
        open.push(second);
        expect(await second.position()).toBe('[{"offset":41}]');
        second.add(ev("Erin", false, "https://en.wikipedia.org"));
        second.add(ev("Frank", false, "https://en.wikipedia.org"));
        await second.flush();
        expect(await second.stats()).toEqual({
          messages: 4,
          distinct_users: 2,
          bots: 1,
          non_bots: 3,
          by_server_url: { "https://en.wikipedia.org": 4 },
        });
      });

      test("the server URL limit counts the URLs kept before a reopen, also when the limit is lowered", async () => {
        const first = await subject.create({ maxServerUrls: 3 });
        first.add(ev("A", false, "https://a.org"));
        first.add(ev("A", false, "https://b.org"));
        await first.close();
        const second = await reopen({ maxServerUrls: 3 });
        open.push(second);
        expect([second.add(ev("A", false, "https://c.org")), second.add(ev("A", false, "https://d.org"))]).toEqual([true, false]);
        await second.close();
        open.splice(open.indexOf(second), 1);
        const third = await reopen({ maxServerUrls: 1 });
        open.push(third);
        expect([third.add(ev("A", false, "https://b.org")), third.add(ev("A", false, "https://e.org"))]).toEqual([true, false]);
        await third.flush();
        expect(await third.stats()).toEqual({
          messages: 6,
          distinct_users: 1,
          bots: 0,
          non_bots: 6,
          by_server_url: { "https://a.org": 1, "https://b.org": 2, "https://c.org": 1 },
        });
      });
    }
  });
}

// The behaviour every StatsStore must have; run against each implementation by its own test file.
import { afterEach, describe, expect, test } from "bun:test";
import { expectFixtureStats } from "../../test/helpers/fixtures.ts";
import { classify } from "../stats/classify.ts";
import type { ChangeEvent } from "../stats/types.ts";
import type { StatsStore } from "./stats-store.ts";

export interface ContractSubject {
  /** A new, empty store, opened and ready. */
  create(): Promise<StatsStore>;
  /** A second store over the same durable data, or undefined when the store keeps nothing. */
  reopen?(): Promise<StatsStore>;
}

const ev = (user: string | undefined, bot: boolean, serverUrl: string | undefined): ChangeEvent => ({ user, bot, serverUrl });

export function statsStoreContract(name: string, subject: ContractSubject, payloads: () => string[]): void {
  describe(`StatsStore contract: ${name}`, () => {
    const open: StatsStore[] = [];
    const create = async () => {
      const store = await subject.create();
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
        messages: 2, distinct_users: 1, bots: 1, non_bots: 1, by_server_url: { "https://fr.wikipedia.org": 2 },
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
          messages: 4, distinct_users: 2, bots: 1, non_bots: 3, by_server_url: { "https://en.wikipedia.org": 4 },
        });
      });
    }
  });
}

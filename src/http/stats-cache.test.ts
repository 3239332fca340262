import { describe, expect, test } from "bun:test";
import { MemoryStore } from "../store/memory-store.ts";
import { StatsCache } from "./stats-cache.ts";
import { changeEvent } from "../../test/helpers/events.ts";

const event = changeEvent({ user: "Ann", bot: false, serverUrl: "https://en.wikipedia.org" });

function setup() {
  const store = new MemoryStore();
  let calls = 0;
  const stats = store.stats.bind(store);
  store.stats = () => {
    calls++;
    return stats();
  };
  let now = 1_000;
  const cache = new StatsCache(store, 100, () => now);
  return { store, cache, calls: () => calls, advance: (ms: number) => (now += ms) };
}

describe("StatsCache", () => {
  test("serialises once while the totals do not change, however long", async () => {
    const { cache, calls, advance } = setup();
    const first = (await cache.answer()).body.identity;
    advance(10_000);
    expect((await cache.answer()).body.identity).toBe(first);
    expect(calls()).toBe(1);
  });

  test("reuses an answer for at most maxStaleMs while events arrive", async () => {
    const { store, cache, calls, advance } = setup();
    (await cache.answer()).body;
    store.add(event);
    advance(99);
    expect(JSON.parse(new TextDecoder().decode((await cache.answer()).body.identity)).messages).toBe(0);
    advance(1);
    expect(JSON.parse(new TextDecoder().decode((await cache.answer()).body.identity)).messages).toBe(1);
    expect(calls()).toBe(2);
  });

  test("once the totals hold still for quietMs, the next request gets them exact, before maxStaleMs", async () => {
    const { store, cache, calls, advance } = setup();
    const messages = async () => JSON.parse(new TextDecoder().decode((await cache.answer()).body.identity)).messages as number;
    expect(await messages()).toBe(0);
    store.add(event);
    advance(5);
    expect(await messages()).toBe(0);
    advance(19);
    // The change was first seen 19 ms ago: events may still be arriving.
    expect(await messages()).toBe(0);
    advance(1);
    expect(await messages()).toBe(1);
    expect(calls()).toBe(2);
  });

  test("while events keep arriving, answers are reused for maxStaleMs, and rebuilt no more often", async () => {
    const { store, cache, calls, advance } = setup();
    await cache.answer();
    // An event every 10 ms for a second, a request every 5 ms: the totals never hold still for 20 ms.
    for (let ms = 0; ms < 1_000; ms += 5) {
      if (ms % 10 === 0) store.add(event);
      advance(5);
      await cache.answer();
    }
    expect(calls()).toBe(1 + 10);
  });

  test("writes by_server_url in URL order, whatever order the store counted them in", async () => {
    const { store, cache } = setup();
    for (const serverUrl of ["https://www.wikidata.org", "https://commons.wikimedia.org", "https://de.wikipedia.org"])
      store.add({ ...event, serverUrl });
    const text = new TextDecoder().decode((await cache.answer()).body.identity);
    expect(Object.keys(JSON.parse(text).by_server_url)).toEqual([
      "https://commons.wikimedia.org",
      "https://de.wikipedia.org",
      "https://www.wikidata.org",
    ]);
  });

  test("tags each answer by its content: the same totals keep their ETag, new totals get a new one", async () => {
    const { store, cache, advance } = setup();
    const before = await cache.answer();
    advance(1_000);
    expect((await cache.answer()).etag).toBe(before.etag);
    store.add(event);
    const after = await cache.answer();
    expect(after.etag).toMatch(/^"[0-9a-z]+"$/);
    expect(after.etag).not.toBe(before.etag);
  });
});

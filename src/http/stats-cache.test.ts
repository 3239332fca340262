import { describe, expect, test } from "bun:test";
import { MemoryStore } from "../store/memory-store.ts";
import { StatsCache } from "./stats-cache.ts";

const event = { user: "Ann", bot: false, serverUrl: "https://en.wikipedia.org" };

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
    const first = await cache.body();
    advance(10_000);
    expect(await cache.body()).toBe(first);
    expect(calls()).toBe(1);
  });

  test("reuses an answer for at most maxStaleMs while events arrive", async () => {
    const { store, cache, calls, advance } = setup();
    await cache.body();
    store.add(event);
    advance(99);
    expect(JSON.parse(new TextDecoder().decode(await cache.body())).messages).toBe(0);
    advance(1);
    expect(JSON.parse(new TextDecoder().decode(await cache.body())).messages).toBe(1);
    expect(calls()).toBe(2);
  });
});

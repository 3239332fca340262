import { describe, expect, it } from "bun:test";
import { BoundedCache } from "./bounded-cache.ts";

describe("BoundedCache", () => {
  it("forgets the least recently set entry beyond maxSize, and says how many it evicted", () => {
    const cache = new BoundedCache<string, number>({ maxSize: 2 });
    expect(cache.set("a", 1)).toBe(0);
    cache.set("b", 2);
    cache.set("a", 3); // a is now the newest
    expect(cache.set("c", 4)).toBe(1);
    expect([...cache.keys()]).toEqual(["a", "c"]);
    expect(cache.has("b")).toBe(false);
    expect(cache.get("a")).toBe(3);
  });

  it("drops entries once their ttl has passed, and not before", () => {
    let now = 1_000;
    const cache = new BoundedCache<string, string>({ maxSize: 10, ttlMs: 100, now: () => now });
    cache.set("k", "v");
    now = 1_099;
    expect(cache.get("k")).toBe("v");
    now = 1_100;
    expect(cache.get("k")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("lets set() give an entry its own expiry, overriding the ttl", () => {
    let now = 0;
    const cache = new BoundedCache<string, boolean>({ maxSize: 10, now: () => now });
    cache.set("token", true, 50);
    now = 49;
    expect(cache.has("token")).toBe(true);
    now = 50;
    expect(cache.has("token")).toBe(false);
  });

  it("lists only live keys", () => {
    let now = 0;
    const cache = new BoundedCache<string, number>({ maxSize: 10, ttlMs: 10, now: () => now });
    cache.set("old", 1);
    now = 5;
    cache.set("new", 2);
    now = 12;
    expect([...cache.keys()]).toEqual(["new"]);
  });

  it.each([0, -1, Number.NaN])("refuses maxSize %p, naming it", (maxSize) => {
    expect(() => new BoundedCache({ maxSize })).toThrow("maxSize");
  });
});

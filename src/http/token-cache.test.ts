import { describe, expect, test } from "bun:test";
import { TokenCache } from "./token-cache.ts";

describe("TokenCache", () => {
  test("knows a token until its exp, not after", () => {
    let now = 1_000_000;
    const cache = new TokenCache(10, () => now);
    cache.add("t", 1_060);
    expect(cache.has("t")).toBe(true);
    now = 1_059_999;
    expect(cache.has("t")).toBe(true);
    now = 1_060_000;
    expect(cache.has("t")).toBe(false);
    now = 0;
    expect(cache.has("t")).toBe(false);
  });

  test("does not know tokens it was never given", () => {
    expect(new TokenCache().has("never")).toBe(false);
  });

  test("forgets the oldest token beyond its size", () => {
    const cache = new TokenCache(2, () => 0);
    cache.add("a", 10);
    cache.add("b", 10);
    cache.add("c", 10);
    expect([cache.has("a"), cache.has("b"), cache.has("c")]).toEqual([false, true, true]);
  });
});

import { describe, expect, test } from "bun:test";
import { BoundedMap } from "./bounded-map.ts";

describe("BoundedMap", () => {
  test("keeps at most maxSize entries, forgetting the oldest first", () => {
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1).set("b", 2).set("c", 3);
    expect([...map.keys()]).toEqual(["b", "c"]);
  });

  test("counts setting an existing key as recent use", () => {
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1).set("b", 2).set("a", 10).set("c", 3);
    expect([...map.entries()]).toEqual([["a", 10], ["c", 3]]);
  });

  test("stays bounded under a flood of distinct keys", () => {
    const map = new BoundedMap<number, number>(100);
    for (let i = 0; i < 10_000; i++) map.set(i, i);
    expect(map.size).toBe(100);
    expect(map.has(9_999)).toBe(true);
    expect(map.has(0)).toBe(false);
  });
});

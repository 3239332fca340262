import { describe, expect, it } from "bun:test";
import { KnownUsers } from "./known-users.ts";

describe("KnownUsers", () => {
  it("remembers at most `limit` users, forgetting the least recently confirmed first", () => {
    const known = new KnownUsers(2);
    known.add("a");
    known.add("b");
    known.add("a");
    known.add("c");
    expect([known.has("a"), known.has("b"), known.has("c")]).toEqual([true, false, true]);
    expect(known.size).toBe(2);
  });

  it("treats a forgotten user as unknown, and is not complete before a full load", () => {
    const known = new KnownUsers(10);
    known.add("a");
    known.forget("a");
    expect(known.has("a")).toBe(false);
    expect(known.complete).toBe(false);
  });
});

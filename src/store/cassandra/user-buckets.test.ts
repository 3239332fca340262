import { describe, expect, test } from "bun:test";
import { USER_BUCKETS, userBucket } from "./user-buckets.ts";

/** The same hash over TextEncoder's bytes: the reference userBucket must agree with. */
function reference(name: string): number {
  let hash = 0x811c9dc5;
  for (const b of new TextEncoder().encode(name)) hash = Math.imul(hash ^ b, 0x01000193);
  return (hash >>> 0) % USER_BUCKETS;
}

describe("userBucket", () => {
  test("is FNV-1a of the UTF-8 bytes (published test vectors)", () => {
    // FNV-1a 32: "" = 0x811c9dc5, "a" = 0xe40c292c, "foobar" = 0xbf9cf968.
    expect(userBucket("")).toBe(0x811c9dc5 % USER_BUCKETS);
    expect(userBucket("a")).toBe(0xe40c292c % USER_BUCKETS);
    expect(userBucket("foobar")).toBe(0xbf9cf968 % USER_BUCKETS);
  });

  test("hashes non-ASCII names by their UTF-8 bytes, lone surrogates as U+FFFD", () => {
    const names = ["Zoë", "Ω-user", "用户名", "😀 emoji", "2001:db8::1", "a\ud800b", "\udc00", "end\ud83d", "ĉ".repeat(300)];
    for (const name of names) expect([name, userBucket(name)]).toEqual([name, reference(name)]);
  });

  test("spreads names evenly over the buckets", () => {
    const counts = new Array<number>(USER_BUCKETS).fill(0);
    const n = 64_000;
    for (let i = 0; i < n; i++) counts[userBucket(`User ${i}`)]!++;
    const mean = n / USER_BUCKETS;
    for (const c of counts) expect(Math.abs(c - mean)).toBeLessThan(mean * 0.2);
  });
});

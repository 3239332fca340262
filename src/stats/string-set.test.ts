import { describe, expect, test } from "bun:test";
import { mulberry32 } from "../../test/helpers/random.ts";
import { StringSet } from "./string-set.ts";

function randomString(random: () => number): string {
  const alphabets = ["abcdefghijklmnopqrstuvwxyz", "ÄÖÜßéè", "日本語中文", "😀✓", "0123456789.:"];
  const length = Math.floor(random() * 24);
  let s = "";
  for (let i = 0; i < length; i++) {
    const alphabet = [...alphabets[Math.floor(random() * alphabets.length)]!];
    s += alphabet[Math.floor(random() * alphabet.length)];
  }
  return s;
}

describe("StringSet", () => {
  test.each([1, 2, 3])("agrees with Set<string> on 200,000 random adds (seed %i)", (seed) => {
    const random = mulberry32(seed);
    const reference = new Set<string>();
    const set = new StringSet();
    for (let i = 0; i < 200_000; i++) {
      const value = random() < 0.3 && reference.size > 0 ? `user${Math.floor(random() * 5000)}` : randomString(random);
      expect(set.add(value)).toBe(!reference.has(value));
      reference.add(value);
    }
    expect(set.size).toBe(reference.size);
    for (const value of reference) expect(set.has(value)).toBe(true);
  });

  test("tells apart strings that differ only in one code unit, in length or by a lone surrogate", () => {
    const set = new StringSet();
    for (const value of ["", "a", "aa", "ab", "ba", "\ud83d", "\ud83d\ude00", "A", "a\u0000"]) expect(set.add(value)).toBe(true);
    expect(set.size).toBe(9);
    expect(set.has("b")).toBe(false);
    expect(set.has("aaa")).toBe(false);
  });

  test("keeps very long members", () => {
    const set = new StringSet();
    const long = "x".repeat(100_000);
    expect(set.add(long)).toBe(true);
    expect(set.add(`${long}y`)).toBe(true);
    expect(set.add(long)).toBe(false);
    expect(set.has(`${long}y`)).toBe(true);
  });
});

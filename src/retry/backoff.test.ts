import { describe, expect, it } from "bun:test";
import { Backoff, parseRetryAfter } from "./backoff.ts";

/** The delays of `count` consecutive next() calls. */
function delays(backoff: Backoff, count: number): number[] {
  return Array.from({ length: count }, () => backoff.next());
}

describe("Backoff", () => {
  it("doubles the step after each failure until it reaches the cap", () => {
    // With random() = 0 the delay is exactly half the step, so the steps are 2x the delays.
    const b = new Backoff({ minMs: 100, maxMs: 1_000, random: () => 0 });
    expect(delays(b, 7).map((d) => d * 2)).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it("never exceeds the cap, even after very many failures", () => {
    const b = new Backoff({ minMs: 1_000, maxMs: 60_000, random: () => 0.999_999 });
    const all = delays(b, 200);
    expect(Math.max(...all)).toBeLessThanOrEqual(60_000);
    expect(all.at(-1)).toBe(60_000);
    expect(all.every(Number.isFinite)).toBe(true);
  });

  it.each([0, 0.25, 0.5, 0.75, 0.999_999])("keeps the jittered delay within [step/2, step] when random() is %p", (r) => {
    const b = new Backoff({ minMs: 1_000, maxMs: 16_000, random: () => r });
    const steps = [1_000, 2_000, 4_000, 8_000, 16_000, 16_000];
    for (const step of steps) {
      const delay = b.next();
      expect(delay).toBeGreaterThanOrEqual(step / 2);
      expect(delay).toBeLessThanOrEqual(step);
      expect(delay).toBe(Math.round(step / 2 + (r * step) / 2));
    }
  });

  it("spreads delays with the random source: higher random, longer wait", () => {
    const low = new Backoff({ minMs: 1_000, maxMs: 60_000, random: () => 0.1 }).next();
    const high = new Backoff({ minMs: 1_000, maxMs: 60_000, random: () => 0.9 }).next();
    expect(high).toBeGreaterThan(low);
  });

  it("starts again from the minimum after reset", () => {
    const b = new Backoff({ minMs: 100, maxMs: 10_000, random: () => 0 });
    const first = delays(b, 5);
    expect(b.failures).toBe(5);
    b.reset();
    expect(b.failures).toBe(0);
    expect(delays(b, 5)).toEqual(first);
  });

  it("counts failures", () => {
    const b = new Backoff({ minMs: 1, maxMs: 10 });
    expect(b.failures).toBe(0);
    b.next();
    b.next();
    expect(b.failures).toBe(2);
  });

  it("uses Math.random when no random source is given, staying within bounds", () => {
    const b = new Backoff({ minMs: 1_000, maxMs: 1_000 });
    for (const delay of delays(b, 50)) {
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(1_000);
    }
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2024, 0, 15, 12, 0, 0);

  it.each([
    ["0", 0],
    ["1", 1_000],
    ["120", 120_000],
    [" 5 ", 5_000],
  ])("reads delta-seconds %p as milliseconds", (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  it.each([
    ["an IMF-fixdate 30 s ahead", "Mon, 15 Jan 2024 12:00:30 GMT", 30_000],
    ["an IMF-fixdate 2 min ahead", "Mon, 15 Jan 2024 12:02:00 GMT", 120_000],
    ["an IMF-fixdate in the past", "Mon, 15 Jan 2024 11:59:00 GMT", 0],
    ["the obsolete RFC 850 form", "Monday, 15-Jan-24 12:00:10 GMT", 10_000],
  ])("reads %s as the time until then", (_name, header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  it("returns undefined when the header is absent", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it.each([
    ["an empty value", ""],
    ["blank", "   "],
    ["a word", "soon"],
    ["a negative number", "-5"],
    ["a signed number", "+5"],
    ["a fraction", "1.5"],
    ["a number with a unit", "5s"],
    ["hex", "0x10"],
    ["exponent notation", "1e3"],
  ])("returns undefined for garbage: %s (%p), so the caller falls back to its backoff", (_name, header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});

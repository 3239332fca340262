import { describe, expect, test } from "bun:test";
import { retry } from "./retry.ts";

const fast = { minMs: 1, maxMs: 4, random: () => 1 };

describe("retry", () => {
  test("retries until the work succeeds, telling onRetry of each failure and its growing delay", async () => {
    const seen: [number, number][] = [];
    const result = await retry(
      async (attempt) => {
        if (attempt < 4) throw new Error(`fail ${attempt}`);
        return attempt;
      },
      { backoff: fast, onRetry: (_error, attempt, delay) => seen.push([attempt, delay]) },
    );
    expect(result).toBe(4);
    expect(seen).toEqual([
      [1, 1],
      [2, 2],
      [3, 4],
    ]);
  });

  test("rethrows the last failure once the attempts are used", async () => {
    let calls = 0;
    const failing = retry(
      async (attempt) => {
        calls++;
        throw new Error(`fail ${attempt}`);
      },
      { backoff: fast, attempts: 3 },
    );
    await expect(failing).rejects.toThrow("fail 3");
    expect(calls).toBe(3);
  });
});

describe("retry with a signal", () => {
  test("an abort during the wait ends the loop at once with the last failure", async () => {
    const stop = new AbortController();
    const started = performance.now();
    const failing = retry(
      async () => {
        setTimeout(() => stop.abort(), 10);
        throw new Error("down");
      },
      { backoff: { minMs: 60_000, maxMs: 60_000 }, signal: stop.signal },
    );
    await expect(failing).rejects.toThrow("down");
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test("a signal aborted before a failure stops without waiting or retrying", async () => {
    let calls = 0;
    const failing = retry(
      async () => {
        calls++;
        throw new Error("once");
      },
      { backoff: fast, signal: AbortSignal.abort() },
    );
    await expect(failing).rejects.toThrow("once");
    expect(calls).toBe(1);
  });
});

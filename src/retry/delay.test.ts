import { describe, expect, it } from "bun:test";
import { delay } from "./delay.ts";

describe("delay", () => {
  it("waits the given time", async () => {
    const started = performance.now();
    await delay(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("ends at once when the signal aborts during the wait, without rejecting", async () => {
    const stop = new AbortController();
    const started = performance.now();
    const waiting = delay(60_000, stop.signal);
    setTimeout(() => stop.abort(), 10);
    await expect(waiting).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("does not wait at all on a signal that has already aborted", async () => {
    const started = performance.now();
    await delay(60_000, AbortSignal.abort());
    expect(performance.now() - started).toBeLessThan(100);
  });
});

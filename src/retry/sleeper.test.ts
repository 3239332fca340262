import { describe, expect, test } from "bun:test";
import { Sleeper } from "./sleeper.ts";

describe("Sleeper", () => {
  test("waits the given time", async () => {
    const started = performance.now();
    await new Sleeper().sleep(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  test("wake() ends a wait at once, and every later wait", async () => {
    const sleeper = new Sleeper();
    const started = performance.now();
    const waiting = sleeper.sleep(60_000);
    sleeper.wake();
    await waiting;
    await sleeper.sleep(60_000);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

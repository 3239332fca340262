import { describe, expect, test } from "bun:test";
import { EventHistory } from "./history.ts";

function setup(seconds = 4) {
  let total = 0;
  let now = 1_000_000;
  const history = new EventHistory(
    () => total,
    seconds,
    () => now,
  );
  return { history, tick: (events: number, ms = 1000) => ((total += events), (now += ms), history.sample()) };
}

describe("EventHistory", () => {
  test("keeps events per second, oldest first, ending at the last sample", () => {
    const { history, tick } = setup();
    tick(10);
    tick(0);
    tick(30, 2000);
    expect(history.series()).toEqual({ step_s: 1, end: 1004, events: [10, 0, 15] });
  });

  test("forgets the oldest points once full", () => {
    const { history, tick } = setup(3);
    for (const n of [1, 2, 3, 4, 5]) tick(n);
    expect(history.series().events).toEqual([3, 4, 5]);
  });

  test("is empty before the first sample", () => {
    expect(setup().history.series().events).toEqual([]);
  });
});

import { afterEach, describe, expect, test } from "bun:test";
import { LeaseLostError } from "../write-guard.ts";
import { createLogger } from "../../log/logger.ts";
import { BACKLOG_EVENTS, FlushSchedule, QUIET_MS } from "./flush-schedule.ts";

const schedules: FlushSchedule[] = [];
afterEach(() => {
  for (const s of schedules.splice(0)) s.stop();
});

/** A schedule whose rounds answer from `answers` in turn (a number of events written, or an error to throw). */
function scheduled(intervalMs: number, answers: (number | undefined | Error)[], pending: () => number = () => 0) {
  const rounds: number[] = [];
  const lines: string[] = [];
  const observed: boolean[] = [];
  const schedule = new FlushSchedule({
    intervalMs,
    pendingEvents: pending,
    log: createLogger("info", (line) => lines.push(line)),
    round: async () => {
      rounds.push(performance.now());
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  schedule.observe((_, failed) => observed.push(failed));
  schedules.push(schedule);
  return { schedule, rounds, lines, observed };
}

const roundsBy = async (rounds: number[], n: number, withinMs: number) => {
  const deadline = performance.now() + withinMs;
  while (rounds.length < n && performance.now() < deadline) await Bun.sleep(5);
  return rounds.length;
};

describe("FlushSchedule", () => {
  test("rounds come one interval apart, and none after stop()", async () => {
    const { schedule, rounds } = scheduled(40, [undefined]);
    schedule.start();
    expect(await roundsBy(rounds, 2, 2_000)).toBe(2);
    expect(rounds[1]! - rounds[0]!).toBeGreaterThanOrEqual(35);
    schedule.stop();
    const seen = rounds.length;
    await Bun.sleep(150);
    expect(rounds.length).toBe(seen);
  });

  test("soon() starts a round at once, once however often it is asked before the round runs", async () => {
    const { schedule, rounds } = scheduled(60_000, [10]);
    schedule.start();
    schedule.soon();
    schedule.soon();
    schedule.soon();
    expect(await roundsBy(rounds, 1, 1_000)).toBe(1);
    await Bun.sleep(100);
    expect(rounds.length).toBe(1);
  });

  test("after a backlog's worth, the next round starts once the stream is quiet, not after the interval", async () => {
    let pending = 0;
    const started = performance.now();
    // Events keep arriving for 150 ms, then stop.
    const { schedule, rounds } = scheduled(60_000, [BACKLOG_EVENTS, 1], () => (performance.now() - started < 150 ? ++pending : pending));
    schedule.soon();
    expect(await roundsBy(rounds, 2, 2_000)).toBe(2);
    expect(rounds[1]! - started).toBeGreaterThanOrEqual(150);
    // The second round wrote less than a backlog: the third waits for the interval.
    await Bun.sleep(10 * QUIET_MS);
    expect(rounds.length).toBe(2);
  });

  test("a failed round is kept for /ready and retried with backoff; a good one clears it", async () => {
    const { schedule, rounds, lines, observed } = scheduled(20, [new Error("boom\nat somewhere"), new Error("boom again"), 5]);
    schedule.soon();
    expect(await roundsBy(rounds, 1, 1_000)).toBe(1);
    await Bun.sleep(1);
    expect(schedule.failingSince).toBeNumber();
    expect(schedule.lastError).toBe("flush failed: boom");
    expect(await roundsBy(rounds, 3, 2_000)).toBe(3);
    await Bun.sleep(1);
    expect(schedule.failingSince).toBeUndefined();
    expect(schedule.lastError).toBeUndefined();
    expect(observed.slice(0, 3)).toEqual([true, true, false]);
    expect(lines.filter((l) => l.includes("flush to Cassandra failed")).length).toBe(2);
    expect(lines.some((l) => l.includes("Cassandra writes recovered"))).toBe(true);
  });

  test("a round refused for want of the lease is not a Cassandra failure", async () => {
    const { schedule, rounds, lines, observed } = scheduled(20, [new LeaseLostError("lost")]);
    schedule.soon();
    expect(await roundsBy(rounds, 2, 1_000)).toBe(2);
    expect(schedule.failingSince).toBeUndefined();
    expect(schedule.lastError).toBeUndefined();
    expect(observed).toEqual([]);
    expect(lines.some((l) => l.includes("flush refused: not holding the ingest lease"))).toBe(true);
  });
});

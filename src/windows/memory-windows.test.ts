import { describe, expect, test } from "bun:test";
import { MemoryWindows } from "./memory-windows.ts";
import { DAY_MS, HOUR_MS, MINUTE_MS, type WindowEvent } from "./types.ts";

const T14 = Date.UTC(2026, 4, 28, 14);
const EN = "https://en.wikipedia.org";
const DE = "https://de.wikipedia.org";

function ev(timeMs: number, fields: Partial<WindowEvent> = {}): WindowEvent {
  return { timeMs, user: "Alice", bot: false, serverUrl: EN, page: `${EN}/wiki/A`, ...fields };
}

function windows(events: WindowEvent[], retentionMs = DAY_MS): MemoryWindows {
  const w = new MemoryWindows({ retentionMs });
  for (const e of events) w.add(e);
  return w;
}

describe("minute and hour edges", () => {
  const w = windows([ev(T14 - 1, { user: "Before" }), ev(T14, { user: "At" })]);

  test("13:59:59.999 is in the minute and hour before 14:00:00.000", async () => {
    expect(await w.rangeStats(T14 - MINUTE_MS, T14)).toEqual({
      messages: 1,
      distinct_users: 1,
      bots: 0,
      non_bots: 1,
      by_server_url: { [EN]: 1 },
    });
    expect((await w.rangeStats(T14, T14 + MINUTE_MS)).messages).toBe(1);
    expect((await w.rangeStats(T14 - MINUTE_MS, T14 + MINUTE_MS)).distinct_users).toBe(2);
    expect(await w.top("user", T14 - HOUR_MS, T14, 10, undefined)).toEqual([{ key: "Before", count: 1 }]);
    expect(await w.top("user", T14, T14 + HOUR_MS, 10, undefined)).toEqual([{ key: "At", count: 1 }]);
  });

  test("series steps split at the same edge", async () => {
    const minutes = await w.series(T14 - 2 * MINUTE_MS, T14 + MINUTE_MS, MINUTE_MS);
    expect(minutes.map((p) => [p.tMs, p.messages, p.distinct_users])).toEqual([
      [T14 - 2 * MINUTE_MS, 0, 0],
      [T14 - MINUTE_MS, 1, 1],
      [T14, 1, 1],
    ]);
    const hours = await w.series(T14 - HOUR_MS, T14 + HOUR_MS, HOUR_MS, EN);
    expect(hours.map((p) => p.messages)).toEqual([1, 1]);
  });

  test("a range mixing edge minutes and whole hours counts each event once", async () => {
    const many = windows([ev(T14 - 30 * MINUTE_MS), ev(T14 + 30 * MINUTE_MS), ev(T14 + 90 * MINUTE_MS, { user: "Bob" })]);
    const stats = await many.rangeStats(T14 - 45 * MINUTE_MS, T14 + 2 * HOUR_MS + 15 * MINUTE_MS);
    expect(stats).toMatchObject({ messages: 3, distinct_users: 2 });
    expect((await many.rangeStats(T14 - 29 * MINUTE_MS, T14 + 31 * MINUTE_MS)).messages).toBe(1);
  });
});

test("out-of-order events land in their own buckets", async () => {
  const w = windows([
    ev(T14 + 5 * MINUTE_MS),
    ev(T14 + MINUTE_MS, { user: "Bob" }),
    ev(T14 - 3 * HOUR_MS, { user: "Carol", bot: true }),
    ev(T14 + 3 * MINUTE_MS),
  ]);
  const points = await w.series(T14, T14 + 6 * MINUTE_MS, MINUTE_MS);
  expect(points.map((p) => p.messages)).toEqual([0, 1, 0, 1, 0, 1]);
  expect(await w.top("user", T14 - 3 * HOUR_MS, T14 - 2 * HOUR_MS, 10, true)).toEqual([{ key: "Carol", count: 1 }]);
  expect(w.newestEventMs()).toBe(T14 + 5 * MINUTE_MS);
});

describe("retention counts back from the newest event time", () => {
  test("older events are refused and counted; buckets that fall out are dropped", async () => {
    // 2015: far from the wall clock, which retention never looks at.
    const t0 = Date.UTC(2015, 0, 1);
    const w = new MemoryWindows({ retentionMs: HOUR_MS });
    expect(w.add(ev(t0, { user: "Old", page: "p-old", serverUrl: DE }))).toBe(true);
    expect(w.add(ev(t0 + 30 * MINUTE_MS, { user: "Mid" }))).toBe(true);
    expect(w.kept()).toEqual({ minutes: 2, hours: 1, users: 2, pages: 2, servers: 2 });
    // Newest t0 + 61 min: the cutoff is t0 + 1 min, so t0's minute (it ends at the cutoff) goes.
    expect(w.add(ev(t0 + 61 * MINUTE_MS, { user: "New" }))).toBe(true);
    expect(w.kept()).toMatchObject({ minutes: 2, hours: 2 });
    expect(await w.rangeStats(t0, t0 + MINUTE_MS)).toMatchObject({ messages: 0 });
    expect(w.add(ev(t0 + MINUTE_MS - 1))).toBe(false);
    expect(w.tooOld).toBe(1);
    expect(w.add(ev(t0 + MINUTE_MS, { user: "Edge" }))).toBe(true);
    // Newest past t0 + 2 h: t0's hour (and with it "Old", "p-old" and DE) is forgotten.
    w.add(ev(t0 + 2 * HOUR_MS + MINUTE_MS, { user: "Newer" }));
    expect(w.kept()).toEqual({ minutes: 2, hours: 2, users: 2, pages: 1, servers: 1 });
    expect(await w.top("user", t0 + HOUR_MS, t0 + 3 * HOUR_MS, 10, undefined)).toEqual([
      { key: "New", count: 1 },
      { key: "Newer", count: 1 },
    ]);
  });

  test("ids freed by eviction are reused for new strings without mixing them up", async () => {
    const w = new MemoryWindows({ retentionMs: HOUR_MS });
    for (let h = 0; h < 5; h++) w.add(ev(T14 + h * HOUR_MS, { user: `U${h}`, page: `P${h}`, serverUrl: `S${h}` }));
    expect(w.kept()).toMatchObject({ users: 2, pages: 2, servers: 2 });
    expect(await w.top("page", T14 + 3 * HOUR_MS, T14 + 5 * HOUR_MS, 10, undefined)).toEqual([
      { key: "P3", count: 1 },
      { key: "P4", count: 1 },
    ]);
    expect((await w.rangeStats(T14 + 4 * HOUR_MS, T14 + 5 * HOUR_MS)).by_server_url).toEqual({ S4: 1 });
  });

  test("a replay that jumps years ahead drops everything before it, and far ranges walk only what is kept", async () => {
    const w = new MemoryWindows({ retentionMs: DAY_MS });
    for (let i = 0; i < 100; i++) w.add(ev(Date.UTC(2015, 0, 1) + i * MINUTE_MS, { user: `old-${i}` }));
    w.add(ev(T14, { user: "now" }));
    expect(w.kept()).toEqual({ minutes: 1, hours: 1, users: 1, pages: 1, servers: 1 });
    // A week of minutes around a single kept bucket: the answer is the same as over its minute.
    expect(await w.rangeStats(T14 - 3 * DAY_MS, T14 + 4 * DAY_MS)).toEqual(await w.rangeStats(T14, T14 + MINUTE_MS));
    expect((await w.series(T14 - 3 * DAY_MS, T14 + 4 * DAY_MS, DAY_MS)).map((p) => p.messages)).toEqual([0, 0, 0, 1, 0, 0, 0]);
    expect(await w.top("user", T14 - 3 * DAY_MS, T14 + 4 * DAY_MS, 10, undefined)).toEqual([{ key: "now", count: 1 }]);
  });

  test("a retention that is not whole minutes is refused", () => {
    expect(() => new MemoryWindows({ retentionMs: 1000 })).toThrow("whole number of minutes");
  });
});

test("suppressed users count everywhere but distinct_users and top users", async () => {
  const w = windows([ev(T14, { user: undefined }), ev(T14 + 1, { user: undefined, bot: true }), ev(T14 + 2)]);
  expect(await w.rangeStats(T14, T14 + MINUTE_MS)).toEqual({
    messages: 3,
    distinct_users: 1,
    bots: 1,
    non_bots: 2,
    by_server_url: { [EN]: 3 },
  });
  expect(await w.top("user", T14, T14 + HOUR_MS, 10, undefined)).toEqual([{ key: "Alice", count: 1 }]);
  expect(await w.top("server_url", T14, T14 + HOUR_MS, 10, undefined)).toEqual([{ key: EN, count: 3 }]);
  expect((await w.series(T14, T14 + HOUR_MS, HOUR_MS, EN))[0]).toMatchObject({ messages: 3, distinct_users: 1 });
});

test("undefined serverUrl and page count in the totals only", async () => {
  const w = windows([ev(T14, { serverUrl: undefined, page: undefined, user: "Bob" }), ev(T14 + 1, { serverUrl: DE })]);
  expect(await w.rangeStats(T14, T14 + MINUTE_MS)).toEqual({
    messages: 2,
    distinct_users: 2,
    bots: 0,
    non_bots: 2,
    by_server_url: { [DE]: 1 },
  });
  expect(await w.top("page", T14, T14 + HOUR_MS, 10, undefined)).toEqual([{ key: `${EN}/wiki/A`, count: 1 }]);
  expect(await w.top("server_url", T14, T14 + HOUR_MS, 10, undefined)).toEqual([{ key: DE, count: 1 }]);
  const [point] = await w.series(T14, T14 + 5 * MINUTE_MS, 5 * MINUTE_MS, DE);
  expect(point).toMatchObject({ messages: 1, distinct_users: 1 });
});

test("ties go by key in code-point order, not by locale", async () => {
  const keys = ["b", "a", "é", "B", "Z", "ä"];
  const w = windows(keys.flatMap((user, i) => [ev(T14 + i, { user }), ev(T14 + i, { user })]).concat(ev(T14, { user: "z" })));
  const top = await w.top("user", T14, T14 + HOUR_MS, 10, undefined);
  expect(top.map((t) => t.key)).toEqual(["B", "Z", "a", "b", "ä", "é", "z"]);
  expect(top.map((t) => t.count)).toEqual([2, 2, 2, 2, 2, 2, 1]);
  expect((await w.top("user", T14, T14 + HOUR_MS, 3, undefined)).map((t) => t.key)).toEqual(["B", "Z", "a"]);
});

test("the bot filter: bot events only, human events only, or all; zero counts never appear", async () => {
  const w = windows([
    ev(T14, { user: "Bot1", bot: true }),
    ev(T14, { user: "Bot1", bot: true }),
    ev(T14, { user: "Human" }),
    ev(T14 + HOUR_MS, { user: "Late", bot: true }),
  ]);
  expect(await w.top("user", T14, T14 + HOUR_MS, 10, true)).toEqual([{ key: "Bot1", count: 2 }]);
  expect(await w.top("user", T14, T14 + HOUR_MS, 10, false)).toEqual([{ key: "Human", count: 1 }]);
  expect(await w.top("server_url", T14, T14 + 2 * HOUR_MS, 10, undefined)).toEqual([{ key: EN, count: 4 }]);
  expect(await w.top("server_url", T14, T14 + 2 * HOUR_MS, 10, false)).toEqual([{ key: EN, count: 1 }]);
  expect(await w.top("user", T14 + HOUR_MS, T14 + 2 * HOUR_MS, 10, false)).toEqual([]);
});

test("series include zero steps, and distinct users per step narrowed to a wiki", async () => {
  const w = windows([
    ev(T14, { user: "A", serverUrl: EN }),
    ev(T14 + 1, { user: "A", serverUrl: DE }),
    ev(T14 + 2, { user: "B", serverUrl: DE, bot: true }),
    ev(T14 + 16 * MINUTE_MS, { user: "A", serverUrl: DE }),
  ]);
  const all = await w.series(T14, T14 + 45 * MINUTE_MS, 15 * MINUTE_MS);
  expect(all).toEqual([
    { tMs: T14, messages: 3, bots: 1, non_bots: 2, distinct_users: 2 },
    { tMs: T14 + 15 * MINUTE_MS, messages: 1, bots: 0, non_bots: 1, distinct_users: 1 },
    { tMs: T14 + 30 * MINUTE_MS, messages: 0, bots: 0, non_bots: 0, distinct_users: 0 },
  ]);
  const en = await w.series(T14, T14 + 30 * MINUTE_MS, 15 * MINUTE_MS, EN);
  expect(en.map((p) => [p.messages, p.distinct_users])).toEqual([
    [1, 1],
    [0, 0],
  ]);
  const day = await w.series(Date.UTC(2026, 4, 28), Date.UTC(2026, 4, 29), DAY_MS, DE);
  expect(day).toEqual([{ tMs: Date.UTC(2026, 4, 28), messages: 3, bots: 1, non_bots: 2, distinct_users: 2 }]);
  const unknown = await w.series(T14, T14 + 2 * MINUTE_MS, MINUTE_MS, "https://nowhere.example");
  expect(unknown.map((p) => p.messages)).toEqual([0, 0]);
});

// MemoryWindows against a brute-force reference computed from the raw list of events: random events
// (out of order, some too old, suppressed users, missing fields), random aligned ranges, all three
// queries, exact equality. The seed is fixed, so a failure reproduces.
import { describe, expect, test } from "bun:test";
import { mulberry32 } from "../../test/helpers/random.ts";
import type { Stats } from "../stats/types.ts";
import { MemoryWindows } from "./memory-windows.ts";
import { DAY_MS, HOUR_MS, MINUTE_MS, SERIES_STEPS_S, type SeriesCounts, type TopBy, type TopItem, type WindowEvent } from "./types.ts";

const START = Date.UTC(2026, 4, 27, 22, 0);
const SERVERS = Array.from({ length: 12 }, (_, i) => `https://w${i}.example.org`);

/** Events over `spanMs`, mostly in order, a tenth up to 2 h late, a hundredth up to 12 h; skewed keys, 20 % bots. */
function randomEvents(random: () => number, count: number, spanMs: number): WindowEvent[] {
  const skewed = (n: number) => Math.floor(n * random() ** 2);
  const events: WindowEvent[] = [];
  for (let i = 0; i < count; i++) {
    const base = START + Math.floor((i / count) * spanMs);
    const late = random();
    const jitter = late < 0.01 ? Math.floor(random() * 12 * HOUR_MS) : late < 0.1 ? Math.floor(random() * 2 * HOUR_MS) : 0;
    // A few land exactly on a minute or hour edge, or 1 ms before it.
    const edge = random() < 0.05 ? Math.floor(base / MINUTE_MS) * MINUTE_MS - (random() < 0.5 ? 1 : 0) : base - jitter;
    events.push({
      timeMs: edge,
      user: random() < 0.05 ? undefined : `user-${skewed(400)}${random() < 0.1 ? "é" : ""}`,
      bot: random() < 0.2,
      serverUrl: random() < 0.03 ? undefined : SERVERS[skewed(SERVERS.length)],
      page: random() < 0.03 ? undefined : `${SERVERS[0]}/wiki/P${skewed(3000)}`,
    });
  }
  return events;
}

/** The events the index keeps by its rule: none older than the newest seen so far − retention. */
function accepted(events: WindowEvent[], retentionMs: number): { kept: WindowEvent[]; tooOld: number } {
  let newest = Number.NEGATIVE_INFINITY;
  const kept: WindowEvent[] = [];
  for (const e of events) {
    newest = Math.max(newest, e.timeMs);
    if (e.timeMs >= newest - retentionMs) kept.push(e);
  }
  return { kept, tooOld: events.length - kept.length };
}

const inRange = (events: WindowEvent[], fromMs: number, toMs: number) => events.filter((e) => e.timeMs >= fromMs && e.timeMs < toMs);

function refStats(events: WindowEvent[]): Stats {
  const byServer: Record<string, number> = {};
  for (const e of events) if (e.serverUrl !== undefined) byServer[e.serverUrl] = (byServer[e.serverUrl] ?? 0) + 1;
  const bots = events.filter((e) => e.bot).length;
  const sorted = Object.keys(byServer).sort((a, b) => (a < b ? -1 : 1));
  return {
    messages: events.length,
    distinct_users: new Set(events.flatMap((e) => (e.user === undefined ? [] : [e.user]))).size,
    bots,
    non_bots: events.length - bots,
    by_server_url: Object.fromEntries(sorted.map((k) => [k, byServer[k]!])),
  };
}

function refTop(events: WindowEvent[], by: TopBy, limit: number, bot: boolean | undefined): TopItem[] {
  const counts = new Map<string, number>();
  for (const e of events) {
    if (bot !== undefined && e.bot !== bot) continue;
    const key = by === "user" ? e.user : by === "page" ? e.page : e.serverUrl;
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([key, count]) => ({ key, count }));
}

function refSeries(events: WindowEvent[], fromMs: number, toMs: number, stepMs: number, serverUrl?: string): SeriesCounts[] {
  const points: SeriesCounts[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) {
    const step = inRange(events, t, t + stepMs).filter((e) => serverUrl === undefined || e.serverUrl === serverUrl);
    const { messages, bots, non_bots, distinct_users } = refStats(step);
    points.push({ tMs: t, messages, bots, non_bots, distinct_users });
  }
  return points;
}

function check(seed: number, count: number, spanMs: number, retentionMs: number, queries: number) {
  const random = mulberry32(seed);
  const events = randomEvents(random, count, spanMs);
  const w = new MemoryWindows({ retentionMs });
  for (const e of events) w.add(e);
  const { kept, tooOld } = accepted(events, retentionMs);
  const newest = w.newestEventMs()!;
  // Exact for ranges that start at or after the cutoff (see MemoryWindows); they end a little past the newest event.
  const lowest = newest - retentionMs;
  /** A random range of whole units from the cutoff to the unit after the newest event; undefined if none fits. */
  const aligned = (unitMs: number): [number, number] | undefined => {
    const first = Math.ceil(lowest / unitMs);
    const last = Math.floor(newest / unitMs) + 1;
    if (last <= first) return undefined;
    const a = first + Math.floor(random() * (last - first));
    const b = a + 1 + Math.floor(random() * (last - a));
    return [a * unitMs, b * unitMs];
  };
  return {
    tooOld: [w.tooOld, tooOld] as const,
    kept: w.kept(),
    async run() {
      for (let q = 0; q < queries; q++) {
        const [from, to] = aligned(MINUTE_MS)!;
        expect({ q, stats: await w.rangeStats(from, to) }).toEqual({ q, stats: refStats(inRange(kept, from, to)) });
        const [hFrom, hTo] = aligned(HOUR_MS)!;
        const by = (["user", "page", "server_url"] as const)[q % 3]!;
        const bot = [undefined, true, false][Math.floor(random() * 3)];
        const limit = 1 + Math.floor(random() * (random() < 0.5 ? 10 : 500));
        expect({ q, top: await w.top(by, hFrom, hTo, limit, bot) }).toEqual({ q, top: refTop(inRange(kept, hFrom, hTo), by, limit, bot) });
        const stepMs = SERIES_STEPS_S[q % SERIES_STEPS_S.length]! * 1000;
        const steps = aligned(stepMs);
        if (steps === undefined) continue;
        const [sFrom, sTo] = steps;
        const server = random() < 0.5 ? undefined : SERVERS[Math.floor(random() * SERVERS.length)];
        expect({ q, series: await w.series(sFrom, sTo, stepMs, server) }).toEqual({
          q,
          series: refSeries(kept, sFrom, sTo, stepMs, server),
        });
      }
    },
  };
}

describe("MemoryWindows equals a brute-force count of the raw events", () => {
  test("30 hours within a 2-day retention: nothing dropped, day steps too", async () => {
    const c = check(20260528, 12_000, 30 * HOUR_MS, 2 * DAY_MS, 150);
    expect(c.tooOld).toEqual([0, 0]);
    await c.run();
  });

  test("40 hours through a 6-hour retention: buckets dropped, late events refused", async () => {
    const c = check(7, 12_000, 40 * HOUR_MS, 6 * HOUR_MS, 150);
    expect(c.tooOld[0]).toBe(c.tooOld[1]);
    expect(c.tooOld[0]).toBeGreaterThan(0);
    expect(c.kept.hours).toBeLessThanOrEqual(7);
    expect(c.kept.minutes).toBeLessThanOrEqual(6 * 60 + 1);
    await c.run();
  });
});

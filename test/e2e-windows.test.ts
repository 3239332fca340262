// End to end on the in-memory store: a stream spread over hours of event time, replayed from a local SSE
// server, and every windowed route compared with figures computed here from the stream itself.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningService } from "../src/service.ts";
import { startSseServer, type SseServer } from "./helpers/sse-server.ts";
import { login, startTestService, waitFor } from "./helpers/service.ts";

const START = Date.parse("2026-05-28T10:00:00Z");
const HOUR = 3_600_000;
const SERVERS = ["https://en.wikipedia.org", "https://de.wikipedia.org", "https://commons.wikimedia.org"];

interface Sent {
  t: number;
  user: string;
  bot: boolean;
  server: string;
  page: string;
}

/** 1,500 events over three hours, out of order by up to a minute; a seeded generator so a failure repeats. */
function stream(): Sent[] {
  let seed = 42;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const events: Sent[] = [];
  for (let i = 0; i < 1500; i++) {
    const t = START + Math.floor((i / 1500) * 3 * HOUR + (next() - 0.5) * 60_000);
    const user = `User ${Math.floor(next() ** 2 * 60)}`;
    events.push({
      t: Math.max(START, t),
      user,
      bot: user.endsWith("7"),
      server: SERVERS[Math.floor(next() * 3)]!,
      page: `https://x.org/wiki/P${Math.floor(next() * 40)}`,
    });
  }
  return events;
}

const sent = stream();
// Half of the times written with milliseconds and half with +00:00: the forms Wikimedia has used.
const dt = (t: number, i: number) => (i % 2 ? new Date(t).toISOString() : new Date(t).toISOString().replace(/\.\d+Z$/, "+00:00"));
const payloads = sent.map((e, i) =>
  JSON.stringify({ type: "edit", user: e.user, bot: e.bot, server_url: e.server, meta: { dt: dt(e.t, i), uri: e.page, domain: "x" } }),
);

function expected(from: number, to: number, only?: (e: Sent) => boolean) {
  const inRange = sent.filter((e) => e.t >= from && e.t < to && (only?.(e) ?? true));
  const by_server_url: Record<string, number> = {};
  for (const e of inRange) by_server_url[e.server] = (by_server_url[e.server] ?? 0) + 1;
  const bots = inRange.filter((e) => e.bot).length;
  return {
    messages: inRange.length,
    bots,
    non_bots: inRange.length - bots,
    distinct_users: new Set(inRange.map((e) => e.user)).size,
    by_server_url,
  };
}

function expectedTop(key: (e: Sent) => string, from: number, to: number, limit: number, only?: (e: Sent) => boolean) {
  const counts = new Map<string, number>();
  for (const e of sent) if (e.t >= from && e.t < to && (only?.(e) ?? true)) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
  return [...counts]
    .map(([k, count]) => ({ key: k, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
    .slice(0, limit);
}

let server: SseServer;
let service: RunningService;
let base: string;
let token: string;

beforeAll(async () => {
  server = startSseServer({ payloads, script: [{ kind: "events", end: "hold" }] });
  ({ service, base } = await startTestService({ STREAM_URL: server.url }));
  token = await login(base);
  await waitFor(
    () => get("/stats"),
    (s) => (s.body as { messages: number }).messages === payloads.length,
    20_000,
    "all events",
  );
});

afterAll(async () => {
  await service?.stop();
  server?.stop();
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const iso = (t: number) => new Date(t).toISOString().replace(".000Z", "Z");

describe("windows over a replayed stream", () => {
  test("/stats?from&to equals the figures of the events in each range, by minute and by hour", async () => {
    const ranges: [number, number][] = [
      [START, START + 3 * HOUR + 60_000],
      [START + HOUR, START + 2 * HOUR],
      [START + 17 * 60_000, START + 2 * HOUR + 43 * 60_000],
      [START + 59 * 60_000, START + 61 * 60_000],
    ];
    for (const [from, to] of ranges) {
      const { status, body } = await get(`/stats?from=${iso(from)}&to=${to / 1000}`);
      expect(status).toBe(200);
      expect(body).toEqual({ ...expected(from, to), from: iso(from), to: iso(to) });
    }
  });

  test("/stats/top ranks users, humans only, pages and wikis as counted here", async () => {
    const [from, to] = [START, START + 3 * HOUR];
    const q = `from=${iso(from)}&to=${iso(to)}`;
    expect((await get(`/stats/top?by=user&${q}&limit=5`)).body).toEqual({
      by: "user",
      from: iso(from),
      to: iso(to),
      items: expectedTop((e) => e.user, from, to, 5),
    });
    expect((await get(`/stats/top?by=user&${q}&bot=false`)).body.items).toEqual(
      expectedTop(
        (e) => e.user,
        from,
        to,
        10,
        (e) => !e.bot,
      ),
    );
    expect((await get(`/stats/top?by=page&${q}&limit=1000`)).body.items).toEqual(expectedTop((e) => e.page, from, to, 1000));
    expect((await get(`/stats/top?by=server_url&from=${iso(START + HOUR)}&to=${iso(START + 2 * HOUR)}`)).body.items).toEqual(
      expectedTop((e) => e.server, START + HOUR, START + 2 * HOUR, 10),
    );
  });

  test("/stats/series has one point per step, zeros included, per wiki too", async () => {
    for (const [step, server] of [
      [60, undefined],
      [900, SERVERS[1]],
      [3600, undefined],
    ] as const) {
      const [from, to] = [START - HOUR, START + 4 * HOUR];
      const wiki = server === undefined ? "" : `&server_url=${encodeURIComponent(server)}`;
      const { status, body } = await get(`/stats/series?from=${iso(from)}&to=${iso(to)}&step=${step}${wiki}`);
      expect(status).toBe(200);
      const points = [];
      for (let t = from; t < to; t += step * 1000) {
        const { messages, bots, non_bots, distinct_users } = expected(
          t,
          t + step * 1000,
          server === undefined ? undefined : (e) => e.server === server,
        );
        points.push({ t: iso(t), messages, bots, non_bots, distinct_users });
      }
      expect(body).toEqual({ from: iso(from), to: iso(to), step_s: step, points });
    }
  });

  test("a bad range is a 400 naming the parameter; no token is a 401", async () => {
    const cases: [string, string][] = [
      ["/stats?from=2026-05-28T10:00:30Z&to=2026-05-28T11:00:00Z", "from"],
      ["/stats?from=2026-05-28T11:00:00Z&to=2026-05-28T10:00:00Z", "to"],
      ["/stats?from=yesterday&to=2026-05-28T10:00:00Z", "from"],
      ["/stats?window=5x", "window"],
      ["/stats/top?by=editor&from=2026-05-28T10:00:00Z&to=2026-05-28T11:00:00Z", "by"],
      ["/stats/top?by=user&from=2026-05-28T10:30:00Z&to=2026-05-28T11:00:00Z", "from"],
      ["/stats/top?by=user&from=2026-05-28T10:00:00Z&to=2026-05-28T11:00:00Z&limit=1001", "limit"],
      ["/stats/series?from=2026-05-28T10:00:00Z&to=2026-05-28T11:00:00Z&step=120", "step"],
      ["/stats/top?by=user&from=2026-05-28T10:00:00Z&to=2026-05-28T11:00:00Z&limt=5", "limt"],
      ["/stats?from=2026-05-28T10:00:00Z", "to"],
      ["/stats/series?from=2026-05-20T00:00:00Z&to=2026-05-28T00:00:00Z&step=3600", "to"],
    ];
    for (const [path, param] of cases) {
      const { status, body } = await get(path);
      expect({ path, status, error: body.error }).toEqual({ path, status: 400, error: "invalid_parameter" });
      expect(String(body.message)).toContain(param);
    }
    expect((await fetch(`${base}/stats?window=1h`)).status).toBe(401);
    expect((await fetch(`${base}/stats/top?by=user`)).status).toBe(401);
  });
});

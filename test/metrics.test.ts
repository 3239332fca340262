// /metrics end to end: after a replay through a dropped connection, the counters agree with /stats and /health.
import { afterEach, describe, expect, test } from "bun:test";
import type { RunningService } from "../src/service.ts";
import { fixturePayloads } from "./helpers/fixtures.ts";
import { scrapeMetrics as scrape } from "./helpers/metrics.ts";
import { getStats, login, waitFor, startTestService } from "./helpers/service.ts";
import { startSseServer, type SseServer } from "./helpers/sse-server.ts";

const payloads = fixturePayloads();
let server: SseServer | undefined;
let service: RunningService | undefined;

afterEach(async () => {
  await service?.stop();
  server?.stop();
  service = server = undefined;
});

async function run(env: Record<string, string> = {}) {
  server = startSseServer({
    payloads,
    maxChunk: 900,
    seed: 11,
    script: [
      { kind: "events", count: 90, end: "cut", cutBytes: 250 },
      { kind: "events", end: "hold" },
    ],
  });
  let base: string;
  ({ service, base } = await startTestService({ STREAM_URL: server.url, ...env }));
  return base;
}

describe("GET /metrics", () => {
  test("counts what /stats and /health report, through a dropped connection", async () => {
    const base = await run();
    const token = await login(base);
    const stats = await waitFor(
      () => getStats(base, token),
      (s) => s.messages === payloads.length,
      20_000,
      "all events",
    );
    const badLogin = await fetch(`${base}/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"username":"admin","password":"wrong-password"}',
    });
    expect(badLogin.status).toBe(401);
    await fetch(`${base}/no/such/path/42`);
    const health = (await (await fetch(`${base}/health`)).json()) as { ingest: Record<string, number> };

    const m = await waitFor(
      () => scrape(base),
      (s) => s.get('wikitally_login_attempts_total{result="invalid_credentials"}') === 1,
      5_000,
      "the failed login counted",
    );
    expect(m.get('wikitally_events_total{outcome="counted"}')).toBe(stats.messages);
    // Every /health tally is an outcome, with the same value.
    for (const [outcome, n] of Object.entries(health.ingest))
      expect({ outcome, n: m.get(`wikitally_events_total{outcome="${outcome}"}`) }).toEqual({ outcome, n });
    expect(m.get('wikitally_events_total{outcome="incomplete"}')).toBe(1);
    expect(m.get("wikitally_stream_reconnects_total")).toBe(1);
    expect(m.get("wikitally_stream_up")).toBe(1);

    const lastDt = Date.parse((JSON.parse(payloads.at(-1)!) as { meta: { dt: string } }).meta.dt) / 1000;
    expect(m.get("wikitally_stream_last_event_timestamp_seconds")).toBe(lastDt);
    expect(m.get("wikitally_stream_lag_seconds")).toBeGreaterThanOrEqual(Date.now() / 1000 - lastDt - 5);
    expect(m.get("wikitally_store_pending_events")).toBe(0);
    expect(m.get("wikitally_store_errors_total")).toBe(0);

    expect(m.get('wikitally_login_attempts_total{result="success"}')).toBe(1);
    expect(m.get('wikitally_login_attempts_total{result="rate_limited"}')).toBe(0);
    expect(m.get('wikitally_http_requests_total{method="POST",route="/login",status="401"}')).toBe(1);
    expect(m.get('wikitally_http_requests_total{method="GET",route="/stats",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('wikitally_http_request_duration_seconds_count{method="GET",route="/stats"}')).toBeGreaterThanOrEqual(1);
    // An unmatched path is one series, whatever the path: raw paths never become label values.
    expect(m.get('wikitally_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect([...m.keys()].filter((k) => k.includes("/no/such"))).toEqual([]);
    // prom-client's default process metrics are there too.
    expect(m.get("process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  test("wants the bearer token when metrics_token is set", async () => {
    const secret = "metrics-token-0123456789";
    const base = await run({ METRICS_TOKEN: secret });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { Authorization: "Bearer metrics-token-wrong-value" } })).status).toBe(401);
    const m = await scrape(base, { Authorization: `Bearer ${secret}` });
    expect(m.has('wikitally_events_total{outcome="counted"}')).toBe(true);
  });
});

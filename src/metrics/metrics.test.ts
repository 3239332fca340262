import { describe, expect, test } from "bun:test";
import { MemoryStore } from "../store/memory-store.ts";
import { idleStatus, type StreamStatus } from "../stream/index.ts";
import { lagSeconds } from "./lag.ts";
import { Metrics } from "./metrics.ts";

function setup(ingest: Record<string, number> = { counted: 0 }) {
  let stream: StreamStatus = idleStatus("https://stream.example");
  let dt: string | undefined;
  const metrics = new Metrics({ ingest, stream: () => stream, lastEventDt: () => dt, store: new MemoryStore() });
  const values = async () => {
    const series = new Map<string, number>();
    for (const line of (await metrics.scrape()).body.split("\n")) {
      if (line !== "" && !line.startsWith("#"))
        series.set(line.slice(0, line.lastIndexOf(" ")), Number(line.slice(line.lastIndexOf(" ") + 1)));
    }
    return series;
  };
  return { metrics, values, setStream: (s: Partial<StreamStatus>) => (stream = { ...stream, ...s }), setDt: (v: string) => (dt = v) };
}

describe("Metrics", () => {
  test("turns every ingest tally into an outcome, including ones added later", async () => {
    const ingest: Record<string, number> = { counted: 3, canary: 1 };
    const { values } = setup(ingest);
    ingest.invalid_user = 2;
    ingest.counted = 5;
    const m = await values();
    expect(m.get('wikitally_events_total{outcome="counted"}')).toBe(5);
    expect(m.get('wikitally_events_total{outcome="canary"}')).toBe(1);
    expect(m.get('wikitally_events_total{outcome="invalid_user"}')).toBe(2);
  });

  test("reads the stream's state, reconnects and lag when scraped", async () => {
    const { values, setStream, setDt } = setup();
    let m = await values();
    expect(m.get("wikitally_stream_up")).toBe(0);
    expect(m.get("wikitally_stream_lag_seconds")).toBeNaN();
    expect(m.get("wikitally_stream_last_event_timestamp_seconds")).toBeNaN();
    setStream({ state: "streaming", connections: 3 });
    setDt(new Date(Date.now() - 30_000).toISOString());
    m = await values();
    expect(m.get("wikitally_stream_up")).toBe(1);
    expect(m.get("wikitally_stream_reconnects_total")).toBe(2);
    expect(m.get("wikitally_stream_lag_seconds")).toBeWithin(29, 35);
  });

  test("records flushes and counts the failed ones as store errors", async () => {
    const { metrics, values } = setup();
    metrics.observeFlush(0.02, false);
    metrics.observeFlush(3, true);
    const m = await values();
    expect(m.get("wikitally_store_flush_duration_seconds_count")).toBe(2);
    expect(m.get('wikitally_store_flush_duration_seconds_bucket{le="0.025"}')).toBe(1);
    expect(m.get("wikitally_store_errors_total")).toBe(1);
  });

  test("counts requests by method, route and status, with cumulative duration buckets", async () => {
    const { metrics, values } = setup();
    metrics.observeRequest("GET", "/stats", 200, 0.0007);
    metrics.observeRequest("GET", "/stats", 200, 2);
    metrics.observeRequest("GET", "/stats", 304, 0.0001);
    const m = await values();
    expect(m.get('wikitally_http_requests_total{method="GET",route="/stats",status="200"}')).toBe(2);
    expect(m.get('wikitally_http_requests_total{method="GET",route="/stats",status="304"}')).toBe(1);
    const bucket = (le: string) => m.get(`wikitally_http_request_duration_seconds_bucket{method="GET",route="/stats",le="${le}"}`);
    expect([bucket("0.0005"), bucket("0.001"), bucket("1"), bucket("+Inf")]).toEqual([1, 2, 2, 3]);
    expect(m.get('wikitally_http_request_duration_seconds_count{method="GET",route="/stats"}')).toBe(3);
    expect(m.get('wikitally_http_request_duration_seconds_sum{method="GET",route="/stats"}')).toBeCloseTo(2.0008, 6);
  });

  test("shows every login result from the start, at zero", async () => {
    const m = await setup().values();
    for (const result of ["success", "invalid_credentials", "rate_limited", "unavailable", "bad_request"]) {
      expect(m.get(`wikitally_login_attempts_total{result="${result}"}`)).toBe(0);
    }
  });
});

describe("lagSeconds", () => {
  test.each([
    ["2025-05-03T07:00:00Z", Date.parse("2025-05-03T07:00:10Z"), 10],
    ["2025-05-03T07:00:10Z", Date.parse("2025-05-03T07:00:00Z"), 0],
    ["not a date", 0, undefined],
    [undefined, 0, undefined],
  ])("from meta.dt %p", (dt, now, expected) => {
    expect(lagSeconds(dt, now)).toBe(expected);
  });
});

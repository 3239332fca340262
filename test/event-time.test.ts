// Event time end to end: after a replay of the recorded captures and events without a usable
// meta.dt, /health tallies those as ingest.no_event_time, /metrics exports the tally, and the lag
// follows the last event that had an event time.
import { afterEach, describe, expect, test } from "bun:test";
import type { RunningService } from "../src/service.ts";
import { fixturePayloads } from "./helpers/fixtures.ts";
import { scrapeMetrics } from "./helpers/metrics.ts";
import { getStats, login, startTestService, waitFor } from "./helpers/service.ts";
import { startSseServer, type SseServer } from "./helpers/sse-server.ts";

let server: SseServer | undefined;
let service: RunningService | undefined;

afterEach(async () => {
  await service?.stop();
  server?.stop();
  service = server = undefined;
});

const event = (meta: Record<string, unknown>) =>
  JSON.stringify({ meta: { domain: "de.wikipedia.org", uri: "https://de.wikipedia.org/wiki/Größe", ...meta }, user: "Jörg", bot: false });

describe("event time", () => {
  test("/health shows ingest.no_event_time for events without a usable meta.dt, and /metrics exports it", async () => {
    const minutesAhead = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
    const kept = minutesAhead(9);
    const undated = [event({}), event({ dt: "garbage" }), event({ dt: minutesAhead(11) }), event({ dt: 1746258379000 })];
    // Every recorded event has a meta.dt in the past; a canary never counts, dated or not.
    const payloads = [...fixturePayloads(), ...undated, event({ dt: kept }), event({ domain: "canary" })];
    server = startSseServer({ payloads, maxChunk: 800, seed: 25, script: [{ kind: "events", end: "hold" }] });
    let base: string;
    ({ service, base } = await startTestService({ STREAM_URL: server.url }));
    const token = await login(base);
    const counted = payloads.length - 1;
    await waitFor(
      () => getStats(base, token),
      (s) => s.messages === counted,
      20_000,
      "all events",
    );

    const health = (await (await fetch(`${base}/health`)).json()) as { ingest: Record<string, number> };
    expect(health.ingest).toMatchObject({ counted, canary: 1, no_event_time: undated.length });
    const metrics = await scrapeMetrics(base);
    expect(metrics.get('wikitally_events_total{outcome="no_event_time"}')).toBe(undated.length);
    // The lag reads the last counted event that had an event time: 9 minutes ahead, so no lag.
    expect(metrics.get("wikitally_stream_last_event_timestamp_seconds")).toBe(Date.parse(kept) / 1000);
    expect(metrics.get("wikitally_stream_lag_seconds")).toBe(0);
  });
});

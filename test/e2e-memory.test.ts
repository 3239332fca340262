// End to end on the in-memory store: a real server on port 0 consuming a misbehaving local SSE server.
import { afterEach, describe, expect, test } from "bun:test";
import type { RunningService } from "../src/service.ts";
import { expectFixtureStats, fixturePayloads } from "./helpers/fixtures.ts";
import { eventId, startSseServer, type SseServer } from "./helpers/sse-server.ts";
import { getStats, login, waitFor, startTestService } from "./helpers/service.ts";

const payloads = fixturePayloads();
let server: SseServer | undefined;
let service: RunningService | undefined;

afterEach(async () => {
  await service?.stop();
  server?.stop();
  service = server = undefined;
});

async function run(serverOptions: Parameters<typeof startSseServer>[0], env: Record<string, string> = {}) {
  server = startSseServer(serverOptions);
  let base: string;
  ({ service, base } = await startTestService({ STREAM_URL: server.url, ...env }));
  return { base, token: await login(base) };
}

describe("the service on the in-memory store", () => {
  test("counts the recorded captures exactly through a cut connection, a 503 and CRLF framing", async () => {
    const { base, token } = await run({
      payloads,
      maxChunk: 700,
      seed: 7,
      script: [
        { kind: "events", count: 100, end: "cut", cutBytes: 400 },
        { kind: "status", status: 503, retryAfter: "0" },
        { kind: "events", lineEnd: "\r\n", end: "close" },
      ],
      after: { kind: "events", count: 0, end: "hold" },
    });
    const stats = await waitFor(
      () => getStats(base, token),
      (s) => s.messages >= payloads.length,
      20_000,
      "all events",
    );
    // Give any double-counting a moment to show before judging.
    await Bun.sleep(100);
    expectFixtureStats(await getStats(base, token));
    expect(stats.messages).toBe(payloads.length);

    // After the clean close at the end, the consumer resumes at once: a fourth connection.
    const requests = await waitFor(
      async () => server!.requests,
      (r) => r.length >= 4,
      5_000,
      "the resume after the close",
    );
    expect(requests[0]!.headers["last-event-id"]).toBeUndefined();
    // The cut event (index 100) was not counted; both reconnects resume after event 99.
    expect(requests[1]!.headers["last-event-id"]).toBe(eventId(99));
    expect(requests[2]!.headers["last-event-id"]).toBe(eventId(99));
    expect(requests[3]?.headers["last-event-id"]).toBe(eventId(payloads.length - 1));
    for (const request of requests) {
      expect(request.headers["user-agent"]).toMatch(/^wikitally\/\d+\.\d+\.\d+ \(https?:\/\/[^;)]+; [^)]+\) bun\//);
      expect(request.headers.accept).toBe("text/event-stream");
    }
    const health = (await (await fetch(`${base}/health`)).json()) as { ingest: Record<string, number> };
    expect(health.ingest).toMatchObject({ counted: payloads.length, incomplete: 1, malformed: 0 });
  });

  test("waits out Retry-After on a 429 before reconnecting", async () => {
    const started = Date.now();
    const { base, token } = await run({
      payloads,
      script: [
        { kind: "status", status: 429, retryAfter: "1" },
        { kind: "events", end: "hold" },
      ],
    });
    await waitFor(
      () => getStats(base, token),
      (s) => s.messages === payloads.length,
      20_000,
      "all events",
    );
    const gap = Date.now() - started;
    expect(server!.requests.length).toBe(2);
    expect(gap).toBeGreaterThanOrEqual(900);
  });

  test("reconnects when the stream goes silent, and counts what follows", async () => {
    const { base, token } = await run(
      {
        payloads,
        script: [
          { kind: "events", count: 10, end: "hold" },
          { kind: "events", end: "hold" },
        ],
      },
      { STREAM_IDLE_TIMEOUT_MS: "300" },
    );
    const stats = await waitFor(
      () => getStats(base, token),
      (s) => s.messages === payloads.length,
      20_000,
      "all events",
    );
    expectFixtureStats(stats);
    expect(server!.requests[1]!.headers["last-event-id"]).toBe(eventId(9));
  });

  test("keeps retrying a refused stream, then counts once it is back", async () => {
    const { base, token } = await run({
      payloads,
      script: [
        { kind: "status", status: 500 },
        { kind: "status", status: 502 },
        { kind: "events", end: "hold" },
      ],
    });
    expectFixtureStats(
      await waitFor(
        () => getStats(base, token),
        (s) => s.messages === payloads.length,
        20_000,
        "all events",
      ),
    );
    expect(server!.requests.length).toBe(3);
    // Recovered: /health no longer reports the refusals.
    const health = (await (await fetch(`${base}/health`)).json()) as { status: string; stream: { last_error?: string; state: string } };
    expect(health).toMatchObject({ status: "ok", stream: { state: "streaming" } });
    expect(health.stream.last_error).toBeUndefined();
  });

  test("skips and tallies malformed, non-object, canary and error events without counting them", async () => {
    const bad = ["{not json", "[1,2]", "42", '{"meta":{"domain":"canary"},"user":"Canary","server_url":"https://canary"}'];
    const { base, token } = await run({ payloads: [...bad, ...payloads], script: [{ kind: "events", end: "hold" }] });
    expectFixtureStats(
      await waitFor(
        () => getStats(base, token),
        (s) => s.messages === payloads.length,
        20_000,
        "all events",
      ),
    );
    const health = (await (await fetch(`${base}/health`)).json()) as { ingest: Record<string, number> };
    expect(health.ingest).toMatchObject({ counted: payloads.length, malformed: 1, not_object: 2, canary: 1 });
  });
});

describe("the stream consumer's manners", () => {
  test("waits the SSE retry time the server asked for before resuming a closed stream", async () => {
    const { base, token } = await run(
      {
        payloads,
        script: [
          { kind: "events", count: 5, end: "close", preamble: "retry: 700\n\n" },
          { kind: "events", end: "hold" },
        ],
      },
      { RECONNECT_MAX_MS: "2000" },
    );
    await waitFor(
      () => getStats(base, token),
      (s) => s.messages === payloads.length,
      20_000,
      "all events",
    );
    const [first, second] = server!.requests;
    expect(server!.requests).toHaveLength(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(700);
    expect(server!.requests[1]!.headers["last-event-id"]).toBe(eventId(4));
  });

  test("clamps a retry beyond reconnect_max_ms, so a server cannot park the consumer for 10 minutes", async () => {
    const { base, token } = await run({
      payloads,
      script: [
        { kind: "events", count: 5, end: "close", preamble: "retry: 600000\n\n" },
        { kind: "events", end: "hold" },
      ],
    });
    await waitFor(
      () => getStats(base, token),
      (s) => s.messages === payloads.length,
      10_000,
      "the resume after reconnect_max_ms",
    );
    expect(server!.requests[1]!.headers["last-event-id"]).toBe(eventId(4));
  });

  test("clamps a retry too large for a timer instead of reconnecting in a loop", async () => {
    const retry = { kind: "events", end: "close", preamble: "retry: 99999999999\n\n" } as const;
    const { base, token } = await run({ payloads, script: [retry], after: { ...retry, count: 0 } });
    await waitFor(
      () => getStats(base, token),
      (s) => s.messages === payloads.length,
      10_000,
      "all events",
    );
    await Bun.sleep(1000);
    const at = server!.requests.map((r) => r.at);
    // reconnect_max_ms is 200 here: about five connections a second, not hundreds.
    expect(at.length).toBeGreaterThanOrEqual(2);
    expect(at.length).toBeLessThanOrEqual(10);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(180);
  });

  test("an id over 1 KiB is ignored: its event counts, /health tallies it, and resuming uses the previous id", async () => {
    const huge = (id: string, user: string) =>
      `event: message\nid: ${id}\ndata: ${JSON.stringify({ user, bot: false, server_url: "https://huge-id.example" })}\n\n`;
    const { base, token } = await run({
      payloads,
      script: [
        { kind: "events", count: 5, end: "close" },
        // A 2 KiB id would be sent back as Last-Event-ID; a 1 MiB one also exceeds max_event_bytes.
        { kind: "events", count: 0, end: "close", preamble: huge("[".repeat(2048), "Two") + huge("9".repeat(1 << 20), "Three") },
        { kind: "events", end: "hold" },
      ],
    });
    const stats = await waitFor(
      () => getStats(base, token),
      (s) => s.messages === payloads.length + 2,
      20_000,
      "every event and both huge-id ones",
    );
    expect(stats.by_server_url["https://huge-id.example"]).toBe(2);
    expect(server!.requests.map((r) => r.headers["last-event-id"])).toEqual([undefined, eventId(4), eventId(4)]);
    const health = (await (await fetch(`${base}/health`)).json()) as { ingest: Record<string, number> };
    expect(health.ingest).toMatchObject({ oversized_id: 2, oversized: 0, counted: payloads.length + 2 });
  });

  test("/health is degraded while a connected stream sends only comments for longer than stream_idle_timeout_ms", async () => {
    const { base, token } = await run(
      { payloads, script: [{ kind: "events", count: 3, end: "hold", commentEveryMs: 50 }] },
      { STREAM_IDLE_TIMEOUT_MS: "500" },
    );
    type Health = { status: string; stream: { state: string; last_event_at?: string; last_error?: string } };
    const health = () => fetch(`${base}/health`).then((r) => r.json() as Promise<Health>);
    await waitFor(
      () => getStats(base, token),
      (s) => s.messages === 3,
      10_000,
      "the three events",
    );
    const first = await health();
    expect(first.stream.last_event_at).toBeDefined();
    const degraded = await waitFor(health, (h) => h.status === "degraded", 10_000, "/health to notice that no event comes");
    expect(degraded.stream.state).toBe("streaming");
    expect(degraded.stream.last_error).toContain("no event for");
    // Comments are bytes, not events: they neither move last_event_at nor trip the byte watchdog.
    expect(degraded.stream.last_event_at).toBe(first.stream.last_event_at!);
    expect(server!.requests).toHaveLength(1);
  });

  test("asks for ?since= on a first start without a saved position, and resumes by id after that", async () => {
    const { base, token } = await run(
      {
        payloads,
        script: [
          { kind: "events", count: 3, end: "close" },
          { kind: "events", end: "hold" },
        ],
      },
      { STREAM_SINCE: "2025-05-03T07:00:00Z" },
    );
    await waitFor(
      () => getStats(base, token),
      (s) => s.messages === payloads.length,
      20_000,
      "all events",
    );
    expect(new URL(server!.requests[0]!.path, "http://x").searchParams.get("since")).toBe("2025-05-03T07:00:00Z");
    expect(new URL(server!.requests[1]!.path, "http://x").searchParams.has("since")).toBe(false);
    expect(server!.requests[1]!.headers["last-event-id"]).toBe(eventId(2));
  });

  test("treats 403 as a configuration error: retries at the slowest pace, and reports it on /health", async () => {
    const { base, token } = await run(
      {
        payloads,
        script: [
          { kind: "status", status: 403, body: "Please set a user-agent" },
          { kind: "events", end: "hold" },
        ],
      },
      { RECONNECT_MAX_MS: "800" },
    );
    const health = await waitFor(
      () => fetch(`${base}/health`).then((r) => r.json() as Promise<{ status: string; stream: { last_error?: string } }>),
      (h) => h.stream.last_error !== undefined,
      5_000,
      "the 403 on /health",
    );
    expect(health.status).toBe("degraded");
    expect(health.stream.last_error).toContain("403");
    expect(health.stream.last_error).toContain("User-Agent");
    await waitFor(
      () => getStats(base, token),
      (s) => s.messages === payloads.length,
      20_000,
      "all events",
    );
    const [refused, accepted] = server!.requests;
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(800);
  });
});

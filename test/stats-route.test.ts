// GET /stats on a real server, where Bun's router answers it (src/http/stats-route.ts): a known token
// with a current answer is served without waiting, anything else on the slow path; both must agree.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningService } from "../src/service.ts";
import { fixturePayloads } from "./helpers/fixtures.ts";
import { scrapeMetrics } from "./helpers/metrics.ts";
import { getStats, login, waitFor, startTestService } from "./helpers/service.ts";
import { startSseServer, type SseServer } from "./helpers/sse-server.ts";

const payloads = fixturePayloads();
let server: SseServer;
let service: RunningService;
let base: string;

beforeAll(async () => {
  server = startSseServer({ payloads, maxChunk: 4096, seed: 5, script: [{ kind: "events", end: "hold" }] });
  ({ service, base } = await startTestService({ STREAM_URL: server.url }));
});

afterAll(async () => {
  await service.stop();
  server.stop();
});

const get = (headers: Record<string, string>) => fetch(`${base}/stats`, { headers, decompress: false });
const count = (m: Map<string, number>, status: number) =>
  m.get(`wikitally_http_requests_total{method="GET",route="/stats",status="${status}"}`) ?? 0;

describe("GET /stats on Bun's router", () => {
  test("the fast and slow paths answer alike, 304 and 401 included, and every answer is counted", async () => {
    const token = await login(base);
    await waitFor(
      () => getStats(base, token),
      (s) => s.messages === payloads.length,
      20_000,
      "all events",
    );
    const before = await scrapeMetrics(base);
    const auth = { Authorization: `Bearer ${token}`, "Accept-Encoding": "gzip, deflate, br" };
    // A fresh token: the first answer verifies it (slow path), the next ones are served from the caches.
    const fresh = await login(base);
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const response = await get({ ...auth, Authorization: `Bearer ${fresh}` });
      answers.push({
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: new Uint8Array(await response.arrayBuffer()),
      });
    }
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers["content-encoding"]).toBe("br");
      expect(answer.headers.etag).toBe(answers[0]!.headers.etag);
      expect(answer.body).toEqual(answers[0]!.body);
    }
    expect(answers[0]!.headers.etag).toMatch(/-br"$/);

    const notModified = await get({ ...auth, "If-None-Match": answers[0]!.headers.etag! });
    expect(notModified.status).toBe(304);
    const identity = await get({ Authorization: `Bearer ${token}` });
    expect(identity.headers.get("content-encoding")).toBeNull();
    expect(await identity.json()).toEqual(await getStats(base, token));

    for (const headers of [{}, { Authorization: "Basic abc" }, { Authorization: "Bearer not.a.token" }]) {
      const refused = await get(headers);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("content-type")).toContain("application/json");
      expect(((await refused.json()) as { error: string }).error).toBeString();
    }

    const after = await scrapeMetrics(base);
    // 3 + identity + getStats (200), one 304, three 401s.
    expect(count(after, 200) - count(before, 200)).toBe(5);
    expect(count(after, 304) - count(before, 304)).toBe(1);
    expect(count(after, 401) - count(before, 401)).toBe(3);
  });
});

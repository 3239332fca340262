// max_server_urls through the whole service on a real Cassandra: server_counts never grows past it, restarts included.
import { afterAll, afterEach, expect, test } from "bun:test";
import type { RunningService } from "../../src/service.ts";
import { CASSANDRA_HOST, describeCassandra, dropKeyspace, freshKeyspace, rawClient } from "../helpers/cassandra.ts";
import { readServerCounts } from "../helpers/cassandra-tables.ts";
import { expectedFigures, fixturePayloads } from "../helpers/fixtures.ts";
import { getStats, login, waitFor, startTestService } from "../helpers/service.ts";
import { startSseServer, type SseServer } from "../helpers/sse-server.ts";

const LIMIT = 5;
const payloads = fixturePayloads();
const urlOf = (payload: string) => (JSON.parse(payload) as { server_url: string }).server_url;
// The first LIMIT server URLs in stream order are kept, computed here without the service's code.
const firstUrls = (list: string[]) => [...new Set(list.map(urlOf))].slice(0, LIMIT);
const kept = firstUrls(payloads);
const keptEvents = payloads.filter((p) => kept.includes(urlOf(p))).length;
// The restart streams the events backwards: a store that forgot the kept URLs would keep other ones.
const reversed = [...payloads].reverse();

const ks = freshKeyspace();
const services: RunningService[] = [];
const servers: SseServer[] = [];

/** One pass over the captures, from a new SSE server (a new stream_url, so no saved position applies). */
async function onePass(events: string[]): Promise<{ service: RunningService; base: string; token: string }> {
  const server = startSseServer({ payloads: events, script: [], after: { kind: "events", end: "hold" } });
  servers.push(server);
  const { service, base } = await startTestService({
    STORAGE: "cassandra",
    CASSANDRA_HOST,
    CASSANDRA_KEYSPACE: ks,
    FLUSH_INTERVAL_MS: "100",
    STREAM_URL: server.url,
    MAX_SERVER_URLS: String(LIMIT),
  });
  services.push(service);
  await waitFor(
    () => fetch(`${base}/ready`).then((r) => r.status),
    (s) => s === 200,
    60_000,
    "/ready",
  );
  await waitFor(
    async () => service.ingest.counters.counted,
    (n) => n === payloads.length,
    30_000,
    "one pass counted",
  );
  return { service, base, token: await login(base) };
}

async function serverCountRows(): Promise<Record<string, number>> {
  const client = await rawClient();
  try {
    return await readServerCounts(client, ks);
  } finally {
    await client.shutdown();
  }
}

describeCassandra("max_server_urls on Cassandra", () => {
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
    for (const server of servers.splice(0)) server.stop();
  });
  afterAll(() => dropKeyspace(ks), 120_000);

  test("keeps the first max_server_urls URLs, counts every event, and holds the limit after a restart", async () => {
    expect(firstUrls(reversed).filter((url) => !kept.includes(url)).length).toBeGreaterThan(0);
    const want = expectedFigures();
    const first = await onePass(payloads);
    expect(first.service.ingest.counters.server_url_overflow).toBe(payloads.length - keptEvents);
    const stats = await waitFor(
      () => getStats(first.base, first.token),
      (s) => s.distinct_users === want.distinct_users,
      30_000,
      "the totals",
    );
    expect(stats).toMatchObject({ messages: want.messages, bots: want.bots, non_bots: want.non_bots });
    expect(Object.keys(stats.by_server_url).sort()).toEqual([...kept].sort());
    await first.service.stop();
    services.splice(0);
    expect(Object.keys(await serverCountRows()).sort()).toEqual([...kept].sort());

    // A restart knows the URLs from server_counts: the same ones keep counting, no new one is added.
    const second = await onePass(reversed);
    expect(second.service.ingest.counters.server_url_overflow).toBe(payloads.length - keptEvents);
    await second.service.stop();
    services.splice(0);
    const rows = await serverCountRows();
    expect(Object.keys(rows).sort()).toEqual([...kept].sort());
    expect(Object.values(rows).reduce((a, b) => a + b, 0)).toBe(2 * keptEvents);
  });
});

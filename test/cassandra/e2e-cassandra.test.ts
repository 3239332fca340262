// End to end on a real Cassandra: exact totals, restarts, outages, schema races, legacy users.
import { afterAll, afterEach, expect, test } from "bun:test";
import { ListenError } from "../../src/http/listen.ts";
import type { RunningService } from "../../src/service.ts";
import type { Stats } from "../../src/stats/types.ts";
import {
  CASSANDRA_HOST,
  CASSANDRA_REQUIRED,
  cassandraPid,
  describeCassandra,
  dropKeyspace,
  freshKeyspace,
  rawClient,
  testConnection,
} from "../helpers/cassandra.ts";
import { countRows, readSummary } from "../helpers/cassandra-tables.ts";
import { fixturePayloads, settledFixtureStats } from "../helpers/fixtures.ts";
import { scrapeMetrics } from "../helpers/metrics.ts";
import { getStats, login, TEST_ADMIN, waitFor, startTestService } from "../helpers/service.ts";
import { eventId, startSseServer, type SseServer, type SseServerOptions } from "../helpers/sse-server.ts";
import { freePort, startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";

const payloads = fixturePayloads();
const keyspaces: string[] = [];
const services: RunningService[] = [];
let server: SseServer | undefined;
let proxy: TcpProxy | undefined;

function keyspace(): string {
  const ks = freshKeyspace();
  keyspaces.push(ks);
  return ks;
}

async function start(ks: string, env: Record<string, string> = {}) {
  const started = await startTestService({
    STORAGE: "cassandra",
    CASSANDRA_HOST,
    CASSANDRA_KEYSPACE: ks,
    FLUSH_INTERVAL_MS: "100",
    STREAM_URL: server!.url,
    ...env,
  });
  services.push(started.service);
  return started;
}

const ready = (base: string) =>
  waitFor(
    () => fetch(`${base}/ready`).then((r) => r.status),
    (s) => s === 200,
    60_000,
    "/ready",
  );
const settled = (base: string, token: string) => settledFixtureStats(() => getStats(base, token), 60_000);
const allCounted = (base: string, token: string) =>
  waitFor(
    () => getStats(base, token),
    (s) => s.messages >= payloads.length,
    60_000,
    "all events counted",
  );

/** The totals as Cassandra holds them, read with a plain driver session, not the service's code. */
async function storedTotals(ks: string): Promise<Omit<Stats, "by_server_url"> & { servers: number; unique_rows: number }> {
  const client = await rawClient();
  try {
    const unique_rows = await countRows(client, ks, "unique_users_by_bucket");
    const servers = await countRows(client, ks, "server_counts");
    return { ...(await readSummary(client, ks)), servers, unique_rows };
  } finally {
    await client.shutdown();
  }
}

function serve(options: Partial<SseServerOptions>) {
  server = startSseServer({ payloads, script: [], after: { kind: "events", end: "hold" }, ...options });
}

// An outage test waits up to 60 s for the flushes after Cassandra is back, on top of its start: past the 60 s default.
const OUTAGE_TEST_MS = 90_000;

describeCassandra("the service on Cassandra", () => {
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
    server?.stop();
    proxy?.cut();
    server = proxy = undefined;
  });
  afterAll(async () => {
    for (const ks of keyspaces) await dropKeyspace(ks);
  }, 120_000);

  test("counts the recorded captures exactly, in /stats and in the tables", async () => {
    const ks = keyspace();
    serve({ maxChunk: 900, seed: 11, script: [{ kind: "events", count: 60, end: "cut" }] });
    const { base } = await start(ks);
    await ready(base);
    const token = await login(base);
    const want = await settled(base, token);
    // The tables catch up with /stats once the flush in progress ends.
    const stored = {
      messages: want.messages,
      distinct_users: want.distinct_users,
      bots: want.bots,
      non_bots: want.non_bots,
      servers: Object.keys(want.by_server_url).length,
      unique_rows: want.distinct_users,
    };
    const same = (t: typeof stored) => Bun.deepEquals(t, stored);
    expect(await waitFor(() => storedTotals(ks), same, 10_000, "the last flush")).toEqual(stored);
    const m = await waitFor(
      () => scrapeMetrics(base),
      (s) => s.get("wikitally_store_pending_events") === 0,
      10_000,
      "nothing pending",
    );
    expect(m.get('wikitally_events_total{outcome="counted"}')).toBe(want.messages);
    expect(m.get("wikitally_store_flush_duration_seconds_count")).toBeGreaterThan(0);
    expect(m.get("wikitally_store_errors_total")).toBe(0);
    expect(m.get("wikitally_store_ready")).toBe(1);
  });

  test("a graceful stop mid-stream and a restart lose nothing and count nothing twice", async () => {
    const ks = keyspace();
    serve({ maxChunk: 400, seed: 5, chunkDelayMs: 2 });
    const first = await start(ks);
    await ready(first.base);
    const token = await login(first.base);
    await waitFor(
      () => getStats(first.base, token),
      (s) => s.messages >= 80,
      30_000,
      "some events",
    );
    await first.service.stop();
    services.splice(services.indexOf(first.service), 1);
    const counted = (await storedTotals(ks)).messages;
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThan(payloads.length);

    const second = await start(ks);
    await ready(second.base);
    // The restart resumed right after the last event the first run counted.
    await waitFor(
      async () => server!.requests.length,
      (n) => n >= 2,
      10_000,
      "the restarted service to connect",
    );
    expect(server!.requests[1]?.headers["last-event-id"]).toBe(eventId(counted - 1));
    const token2 = await login(second.base);
    await settled(second.base, token2);
  });

  test("Cassandra unreachable at start-up: HTTP up, not ready, then catches up with nothing lost", async () => {
    const ks = keyspace();
    const [host, port] = CASSANDRA_HOST.split(",")[0]!.split(":") as [string, string | undefined];
    const proxyPort = freePort();
    serve({});
    const { base } = await start(ks, { CASSANDRA_HOST: `127.0.0.1:${proxyPort}` });
    expect((await fetch(`${base}/status`)).status).toBe(200);
    const notReady = await fetch(`${base}/ready`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { ready: boolean }).ready).toBe(false);
    const loginWhileDown = await fetch(`${base}/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(TEST_ADMIN),
    });
    expect(loginWhileDown.status).toBe(503);
    expect(server!.requests).toHaveLength(0);

    proxy = await startTcpProxy({ host, port: Number(port ?? 9042) }, proxyPort);
    await ready(base);
    const token = await login(base);
    await settled(base, token);
  });

  test("a second instance with ingest off serves the totals the first one writes, and never connects to the stream", async () => {
    const ks = keyspace();
    serve({});
    const reader = await start(ks, { INGEST: "false" });
    await ready(reader.base);
    const writer = await start(ks);
    const readerToken = await login(reader.base);
    await settled(reader.base, readerToken);
    expect(server!.requests).toHaveLength(1);
    const health = (await (await fetch(`${reader.base}/health`)).json()) as { stream: { state: string } };
    expect(health.stream.state).toBe("disabled");
    expect(writer.service.ingest.counters.counted).toBe(payloads.length);
    expect(reader.service.ingest.counters.counted).toBe(0);
  });

  // With SO_REUSEPORT both instances listened, and both consumed the stream into one keyspace.
  test("a second instance on the same port fails to start, and never opens the stream", async () => {
    const ks = keyspace();
    serve({});
    const first = await start(ks);
    await ready(first.base);
    const second = startTestService({
      STORAGE: "cassandra",
      CASSANDRA_HOST,
      CASSANDRA_KEYSPACE: ks,
      STREAM_URL: server!.url,
      PORT: String(first.service.port),
    });
    await expect(second).rejects.toThrow(`cannot listen on 127.0.0.1:${first.service.port}`);
    await expect(second).rejects.toBeInstanceOf(ListenError);
    await settled(first.base, await login(first.base));
    expect(server!.requests).toHaveLength(1);
  });

  test("stops promptly while Cassandra has never been reachable", async () => {
    serve({});
    const { service } = await start(keyspace(), { CASSANDRA_HOST: `127.0.0.1:${freePort()}` });
    await Bun.sleep(300);
    const started = Date.now();
    await service.stop();
    services.splice(services.indexOf(service), 1);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(server!.requests).toHaveLength(0);
  });

  test(
    "Cassandra lost while running, for less than the lease: counts are kept in memory and flushed when it is back",
    async () => {
      const ks = keyspace();
      const [host, port] = CASSANDRA_HOST.split(",")[0]!.split(":") as [string, string | undefined];
      proxy = await startTcpProxy({ host, port: Number(port ?? 9042) });
      // A slow stream, so most events arrive while Cassandra is away.
      serve({ maxChunk: 300, seed: 3, chunkDelayMs: 6 });
      // A lease that outlasts the outage; the next test has an outage longer than the lease.
      const { base } = await start(ks, { CASSANDRA_HOST: `127.0.0.1:${proxy.port}`, LEASE_TTL_MS: "60000" });
      await ready(base);
      const token = await login(base);
      await waitFor(
        () => storedTotals(ks),
        (t) => t.messages > 0,
        30_000,
        "a first flush",
      );

      proxy.cut();
      const health = () => fetch(`${base}/health`).then((r) => r.json() as Promise<{ store: { ready: boolean; pending_events: number } }>);
      await waitFor(health, (h) => !h.store.ready, 20_000, "the store to notice the outage");
      const duringOutage = await allCounted(base, token);
      expect(duringOutage.messages).toBe(payloads.length);
      expect((await health()).store.pending_events).toBeGreaterThan(0);
      const down = await waitFor(
        () => scrapeMetrics(base),
        (s) => s.get("wikitally_store_errors_total")! > 0,
        20_000,
        "a failed flush counted",
      );
      expect(down.get("wikitally_store_ready")).toBe(0);
      expect(down.get("wikitally_store_pending_events")).toBeGreaterThan(0);

      proxy.restore();
      await waitFor(
        () => storedTotals(ks),
        (t) => t.messages === payloads.length,
        60_000,
        "all events flushed after the outage",
      );
      await waitFor(health, (h) => h.store.ready && h.store.pending_events === 0, 20_000, "the store to recover");
      await settled(base, token);
      const up = await scrapeMetrics(base);
      expect(up.get("wikitally_store_ready")).toBe(1);
      expect(up.get("wikitally_store_pending_events")).toBe(0);
    },
    OUTAGE_TEST_MS,
  );

  test(
    "Cassandra lost for longer than the lease: the holder stands down and drops its counts, then leads again and ends exact",
    async () => {
      const ks = keyspace();
      const [host, port] = CASSANDRA_HOST.split(",")[0]!.split(":") as [string, string | undefined];
      proxy = await startTcpProxy({ host, port: Number(port ?? 9042) });
      serve({ maxChunk: 300, seed: 4, chunkDelayMs: 6 });
      const { base, service } = await start(ks, { CASSANDRA_HOST: `127.0.0.1:${proxy.port}`, LEASE_TTL_MS: "3000", LEASE_RENEW_MS: "250" });
      await ready(base);
      const token = await login(base);
      await waitFor(
        () => storedTotals(ks),
        (t) => t.messages > 0,
        30_000,
        "a first flush",
      );

      proxy.cut();
      type Health = { lease: { role: string }; stream: { state: string } };
      const health = () => fetch(`${base}/health`).then((r) => r.json() as Promise<Health>);
      // Unable to renew, it cannot know whether another instance took over: it must stop writing.
      await waitFor(health, (h) => h.lease.role === "standby" && h.stream.state === "standby", 20_000, "the holder to stand down");
      const requestsWhileDown = server!.requests.length;
      const counted = service.ingest.counters.counted;
      await Bun.sleep(500);
      expect(service.ingest.counters.counted).toBe(counted);

      proxy.restore();
      await waitFor(health, (h) => h.lease.role === "leader", 30_000, "the lease to be taken again");
      // It resumed from the saved position with a new connection, so what it dropped is counted again, once.
      await waitFor(
        async () => server!.requests.length,
        (n) => n > requestsWhileDown,
        10_000,
        "a new stream connection",
      );
      await settled(base, token);
      await waitFor(
        () => storedTotals(ks),
        (t) => t.messages === payloads.length,
        30_000,
        "the tables to hold every event",
      );
    },
    OUTAGE_TEST_MS,
  );

  // The JVM frozen, not gone: sockets stay open and requests queue, the nastiest kind of outage.
  // Pausing needs the pid of a Cassandra on this machine (bun run db:up writes it); against a remote
  // CASSANDRA_HOST it is skipped, and where Cassandra is required (bun run test, CI) it fails instead.
  test.skipIf(cassandraPid() === undefined && !CASSANDRA_REQUIRED)(
    "the Cassandra JVM paused (SIGSTOP) longer than a flush, then resumed, loses nothing and counts nothing twice",
    async () => {
      const pid = cassandraPid();
      if (pid === undefined) {
        throw new Error(
          `this test pauses the Cassandra at ${CASSANDRA_HOST} and needs its pid, but no node started from this checkout runs there: `
            + "leave CASSANDRA_HOST and CASSANDRA_PORT unset (bun run test then starts its own), start it with CASSANDRA_PORT=<port> bun run db:up, or set CASSANDRA_PID",
        );
      }
      const ks = keyspace();
      serve({ maxChunk: 300, seed: 9, chunkDelayMs: 5 });
      // The pause is shorter than this lease, so the holder keeps counting (see the outage tests).
      const { base } = await start(ks, { LEASE_TTL_MS: "60000" });
      await ready(base);
      const token = await login(base);
      await waitFor(
        () => storedTotals(ks),
        (t) => t.messages > 0,
        30_000,
        "a first flush",
      );
      process.kill(pid, "SIGSTOP");
      try {
        const before = (await getStats(base, token)).messages;
        await Bun.sleep(3000);
        // /stats keeps answering from memory while the database is frozen, and counting goes on.
        const during = await getStats(base, token);
        expect(during.messages).toBeGreaterThan(before);
      } finally {
        process.kill(pid, "SIGCONT");
      }
      await waitFor(
        () => storedTotals(ks),
        (t) => t.messages === payloads.length,
        60_000,
        "all events flushed after the pause",
      );
      await settled(base, token);
      await Bun.sleep(500);
      expect((await storedTotals(ks)).messages).toBe(payloads.length);
    },
    OUTAGE_TEST_MS,
  );

  test("applying the schema twice and from two instances at once is harmless", async () => {
    const ks = keyspace();
    const a = testConnection(ks);
    const b = testConnection(ks);
    await Promise.all([a.whenReady(), b.whenReady()]);
    const c = testConnection(ks);
    await c.whenReady();
    await Promise.all([a.close(), b.close(), c.close()]);
    const client = await rawClient();
    try {
      const tables = (await client.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", [ks])).rows
        .map((r) => r.table_name as string)
        .sort();
      expect(tables).toEqual([
        "ingest_lease",
        "migrations",
        "server_counts",
        "stats_summary",
        "stream_offsets",
        "unique_users",
        "unique_users_by_bucket",
        "user_count",
        "users",
      ]);
    } finally {
      await client.shutdown();
    }
  });

  test("a legacy plain-text admin row logs in once and is upgraded to an argon2id hash", async () => {
    const ks = keyspace();
    const setup = testConnection(ks);
    await setup.whenReady();
    await setup.close();
    const client = await rawClient();
    try {
      await client.execute(`INSERT INTO ${ks}.users (username, password) VALUES ('admin', 'password123')`);
      serve({});
      const { base } = await start(ks, { ADMIN_PASSWORD: "a-different-configured-password" });
      await ready(base);
      const post = (password: string) =>
        fetch(`${base}/login`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ username: "admin", password }),
        });
      expect((await post("wrong-password")).status).toBe(401);
      expect((await client.execute(`SELECT password FROM ${ks}.users WHERE username = 'admin'`)).first()?.password).toBe("password123");
      expect((await post("password123")).status).toBe(200);
      const stored = (await client.execute(`SELECT password FROM ${ks}.users WHERE username = 'admin'`)).first()?.password as string;
      expect(stored.startsWith("$argon2id$")).toBe(true);
      expect(stored).not.toContain("password123");
      expect((await post("password123")).status).toBe(200);
      expect((await post("wrong-password")).status).toBe(401);
    } finally {
      await client.shutdown();
    }
  });
});

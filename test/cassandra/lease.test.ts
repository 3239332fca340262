// Several replicas on one keyspace: one ingests by lease; crash, pause and rolling restart all end exact.
import { afterAll, afterEach, expect, test } from "bun:test";
import { CASSANDRA_HOST, describeCassandra, dropKeyspace, freshKeyspace } from "../helpers/cassandra.ts";
import { fixturePayloads, settledFixtureStats } from "../helpers/fixtures.ts";
import { flushed, health, killAll, spawnInstance, stopInstance, theLeader, type Instance } from "../helpers/instances.ts";
import { scrapeMetrics } from "../helpers/metrics.ts";
import { getStats, login, waitFor } from "../helpers/service.ts";
import { eventId, startSseServer, type SseServer } from "../helpers/sse-server.ts";

const payloads = fixturePayloads();
const keyspaces: string[] = [];
const running = new Set<Instance>();
let server: SseServer | undefined;

/** A paced replay (~10 s for the 248 events), so the stream is still flowing when the tests act. */
function pacedServer(seed: number, chunkDelayMs = 4): SseServer {
  server = startSseServer({ payloads, maxChunk: 300, seed, chunkDelayMs, script: [], after: { kind: "events", end: "hold" } });
  return server;
}

async function replicas(names: string[], env: Record<string, string>): Promise<Instance[]> {
  const ks = freshKeyspace();
  keyspaces.push(ks);
  const common = { STORAGE: "cassandra", CASSANDRA_HOST, CASSANDRA_KEYSPACE: ks, STREAM_URL: server!.url, ...env };
  const started = await Promise.all(names.map((name) => start(name, common)));
  return started;
}

async function start(name: string, env: Record<string, string>): Promise<Instance> {
  const instance = await spawnInstance(name, env);
  running.add(instance);
  return instance;
}

/** Every instance's /stats reaches the recorded captures' exact figures. */
async function allExact(instances: readonly Instance[]): Promise<void> {
  for (const instance of instances) {
    const token = await login(instance.base);
    await settledFixtureStats(() => getStats(instance.base, token), 60_000);
  }
}

const stillStreaming = (counted: number) => {
  expect(counted).toBeGreaterThan(0);
  expect(counted).toBeLessThan(payloads.length);
};

// Each test runs three service processes through lease handovers, and its waits add up past the 60 s default.
const LEASE_TEST_MS = 180_000;

describeCassandra("replicas sharing a keyspace (ingest lease)", () => {
  afterEach(() => {
    killAll(running);
    running.clear();
    server?.stop();
    server = undefined;
  });
  afterAll(async () => {
    for (const ks of keyspaces) await dropKeyspace(ks);
  }, 120_000);

  test(
    "default settings: one instance connects; SIGKILL it mid-stream and a standby resumes at the saved position; all end exact",
    async () => {
      pacedServer(21);
      const all = await replicas(["a", "b", "c"], {});
      const leader = await theLeader(all);
      const standbys = all.filter((i) => i !== leader);
      await waitFor(
        () => health(leader),
        (h) => h.ingest.counted >= 40,
        30_000,
        "the leader to count",
      );
      expect(server!.requests).toHaveLength(1);
      for (const standby of standbys) {
        const h = await health(standby);
        expect(h.lease).toMatchObject({ role: "standby", holder: leader.id });
        expect(h.stream.state).toBe("standby");
        expect(h.ingest.counted).toBe(0);
        expect((await fetch(`${standby.base}/ready`)).status).toBe(200);
        expect((await scrapeMetrics(standby.base)).get("wikitally_lease_leader")).toBe(0);
      }
      expect((await health(leader)).lease).toMatchObject({ role: "leader", holder: leader.id });
      expect((await scrapeMetrics(leader.base)).get("wikitally_lease_leader")).toBe(1);

      // Killed right after a confirmed flush, so no counts are in the crash window (db/README.md: What survives what).
      server!.pause();
      const counted = await flushed(leader);
      stillStreaming(counted);
      const killedAt = Date.now();
      leader.child.kill("SIGKILL");
      await leader.child.exited;
      running.delete(leader);
      server!.resume();

      const next = await theLeader(standbys, 30_000);
      const failoverMs = Date.now() - killedAt;
      console.log(`failover after SIGKILL (lease_ttl_ms 10000, lease_renew_ms 2000): ${failoverMs} ms`);
      expect(failoverMs).toBeLessThan(10_000 + 2_000 + 3_000);
      await waitFor(
        async () => server!.requests.length,
        (n) => n === 2,
        10_000,
        "the new leader to connect",
      );
      expect(server!.requests[1]!.headers["last-event-id"]).toBe(eventId(counted - 1));
      await allExact(standbys);
      expect(server!.requests).toHaveLength(2);
      expect((await health(next)).ingest.counted).toBe(payloads.length - counted);
    },
    LEASE_TEST_MS,
  );

  test(
    "the leader frozen (SIGSTOP) past its lease, with counts to flush, writes nothing when it wakes; all end exact",
    async () => {
      pacedServer(22);
      // A flush every 3 s, so the leader can be frozen holding counts it has not flushed, with a flush due.
      const env = { LEASE_TTL_MS: "6000", LEASE_RENEW_MS: "500", FLUSH_INTERVAL_MS: "3000" };
      const all = await replicas(["a", "b", "c"], env);
      const frozen = await theLeader(all);
      const others = all.filter((i) => i !== frozen);
      await waitFor(
        () => health(frozen),
        (h) => h.ingest.counted >= 40,
        30_000,
        "the leader to count",
      );

      server!.pause();
      const counted = await flushed(frozen);
      const flushedAt = Date.now();
      server!.resume();
      await waitFor(
        () => health(frozen),
        (h) => h.store.pending_events > 0,
        5_000,
        "events counted after the flush",
      );
      server!.pause();
      frozen.child.kill("SIGSTOP");
      // Frozen well before its next flush (3 s after the last), so no flush was cut in half.
      expect(Date.now() - flushedAt).toBeLessThan(2_500);
      server!.resume();
      const next = await theLeader(others, 30_000);
      await waitFor(
        () => health(next),
        (h) => h.ingest.counted > 0,
        20_000,
        "the new leader to count",
      );
      // On waking, its flush timer is long overdue and fires before any renewal can answer: only the fence
      // stops that flush (without it, this test ends with 249 messages instead of 248).
      frozen.child.kill("SIGCONT");

      await waitFor(
        () => health(frozen),
        (h) => h.lease?.role === "standby",
        20_000,
        "the woken instance to stand by",
      );
      expect(frozen.logs.some((e) => e.msg === "flush refused: not holding the ingest lease")).toBe(true);
      await allExact(all);
      expect((await health(next)).lease?.role).toBe("leader");
      expect(server!.requests[1]!.headers["last-event-id"]).toBe(eventId(counted - 1));
    },
    LEASE_TEST_MS,
  );

  test(
    "a rolling restart of three instances mid-stream (SIGTERM, one at a time) hands over in about 2 s and ends exact",
    async () => {
      pacedServer(23, 8);
      const all = await replicas(["a", "b", "c"], {});
      const first = await theLeader(all);
      await waitFor(
        () => health(first),
        (h) => h.ingest.counted >= 20,
        30_000,
        "the leader to count",
      );
      // The leader first, while the stream flows; then the others.
      const order = [first, ...all.filter((i) => i !== first)];
      let current = [...all];
      const handovers: number[] = [];
      for (const old of order) {
        const wasLeader = (await health(old)).lease?.role === "leader";
        if (wasLeader) stillStreaming((await health(old)).ingest.counted);
        const stoppedAt = Date.now();
        expect(await stopInstance(old)).toBe(0);
        running.delete(old);
        current = current.filter((i) => i !== old);
        if (wasLeader) {
          await theLeader(current, 15_000);
          handovers.push(Date.now() - stoppedAt);
        }
        current.push(
          await start(`${old.name}2`, {
            STORAGE: "cassandra",
            CASSANDRA_HOST,
            CASSANDRA_KEYSPACE: keyspaces.at(-1)!,
            STREAM_URL: server!.url,
          }),
        );
        await theLeader(current, 30_000);
      }
      console.log(`graceful hand-overs (SIGTERM → another instance leads, lease_renew_ms 2000): ${handovers.join(", ")} ms`);
      expect(handovers.length).toBeGreaterThan(0);
      for (const ms of handovers) expect(ms).toBeLessThan(5_000);
      await allExact(current);
    },
    LEASE_TEST_MS,
  );
});

// cassandra_username / cassandra_password against a second, password-protected local Cassandra.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { freeCassandraPort } from "../../db/cassandra/free-ports.ts";
import { cassandraDown, cassandraUp, DEFAULT_SUPERUSER } from "../../db/cassandra/local.ts";
import type { RunningService } from "../../src/service.ts";
import { describeCassandra, freshKeyspace } from "../helpers/cassandra.ts";
import { fixturePayloads, settledFixtureStats } from "../helpers/fixtures.ts";
import { getStats, login, waitFor, startTestService } from "../helpers/service.ts";
import { startSseServer, type SseServer } from "../helpers/sse-server.ts";

const payloads = fixturePayloads();

describeCassandra("Cassandra with PasswordAuthenticator", () => {
  let port = 0;
  let server: SseServer;
  const services: RunningService[] = [];

  beforeAll(async () => {
    // Its CQL and storage ports both free.
    port = freeCassandraPort(false);
    await cassandraUp({ port, fresh: true, auth: true });
    server = startSseServer({ payloads, script: [], after: { kind: "events", end: "hold" } });
  }, 180_000);
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
  });
  afterAll(async () => {
    server?.stop();
    if (port) await cassandraDown(port);
  }, 60_000);

  async function start(password: string) {
    const { service, base } = await startTestService({
      STORAGE: "cassandra",
      CASSANDRA_HOST: `127.0.0.1:${port}`,
      CASSANDRA_KEYSPACE: freshKeyspace(),
      CASSANDRA_USERNAME: DEFAULT_SUPERUSER.username,
      CASSANDRA_PASSWORD: password,
      FLUSH_INTERVAL_MS: "100",
      STREAM_URL: server.url,
    });
    services.push(service);
    return base;
  }

  test("connects with cassandra_username and cassandra_password, and counts exactly", async () => {
    const base = await start(DEFAULT_SUPERUSER.password);
    await waitFor(
      () => fetch(`${base}/ready`).then((r) => r.status),
      (s) => s === 200,
      60_000,
      "/ready",
    );
    const token = await login(base);
    await settledFixtureStats(() => getStats(base, token));
  });

  test("a wrong password keeps the service unready and says why on /health", async () => {
    const base = await start("not-the-password");
    const health = await waitFor(
      () => fetch(`${base}/health`).then((r) => r.json() as Promise<{ store: { ready: boolean; last_error?: string } }>),
      (h) => h.store.last_error !== undefined,
      30_000,
      "an error on /health",
    );
    expect(health.store.ready).toBe(false);
    expect(health.store.last_error).toMatch(/auth|credentials|password/i);
    expect(health.store.last_error).not.toContain("not-the-password");
    expect((await fetch(`${base}/ready`)).status).toBe(503);
  });
});

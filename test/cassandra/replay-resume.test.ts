// A replayed capture on a real Cassandra resumes after the saved position: restarts never count an event twice.
import { afterAll, afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningService } from "../../src/service.ts";
import { CASSANDRA_HOST, describeCassandra, dropKeyspace, freshKeyspace, rawClient } from "../helpers/cassandra.ts";
import { countRows, readSummary } from "../helpers/cassandra-tables.ts";
import { concatenatedCapture, expectedFigures, pacedCapture, settledFixtureStats } from "../helpers/fixtures.ts";
import { getStats, login, waitFor, startTestService } from "../helpers/service.ts";

const dir = mkdtempSync(join(tmpdir(), "wikitally-replay-cassandra-"));
const keyspaces: string[] = [];
const services: RunningService[] = [];

async function start(ks: string, capture: string, env: Record<string, string> = {}) {
  const { service, base } = await startTestService({
    STORAGE: "cassandra",
    CASSANDRA_HOST,
    CASSANDRA_KEYSPACE: ks,
    FLUSH_INTERVAL_MS: "100",
    STREAM_URL: capture,
    ...env,
  });
  services.push(service);
  await waitFor(
    () => fetch(`${base}/ready`).then((r) => r.status),
    (s) => s === 200,
    60_000,
    "/ready",
  );
  return { service, base, token: await login(base) };
}

async function stop(service: RunningService): Promise<void> {
  services.splice(services.indexOf(service), 1);
  await service.stop();
}

/** Totals and saved position as the tables hold them, read with a plain driver session. */
async function stored(ks: string) {
  const client = await rawClient();
  try {
    const { messages, distinct_users, bots } = await readSummary(client, ks);
    const offsets = (await client.execute(`SELECT stream, last_event_id FROM ${ks}.stream_offsets`)).rows;
    return {
      messages,
      distinct_users,
      bots,
      servers: await countRows(client, ks, "server_counts"),
      positions: Object.fromEntries(offsets.map((r) => [r.stream as string, r.last_event_id as string])),
    };
  } finally {
    await client.shutdown();
  }
}

describeCassandra("a replayed capture on Cassandra", () => {
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
  });
  afterAll(async () => {
    for (const ks of keyspaces) await dropKeyspace(ks);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  test("replayed to the end, stopped and started again: the totals stay PROVENANCE.md's", async () => {
    const ks = freshKeyspace();
    keyspaces.push(ks);
    const capture = concatenatedCapture(dir);
    const want = expectedFigures();
    const first = await start(ks, capture);
    await first.service.streamDone;
    await settledFixtureStats(() => getStats(first.base, first.token), 60_000);
    await stop(first.service);
    const afterFirst = await stored(ks);
    expect(afterFirst).toEqual({
      messages: want.messages,
      distinct_users: want.distinct_users,
      bots: want.bots,
      servers: want.server_urls,
      positions: { [capture]: `file-offset:${readFileSync(capture).length}` },
    });

    const second = await start(ks, capture);
    await second.service.streamDone;
    expect(second.service.ingest.counters.counted).toBe(0);
    await settledFixtureStats(() => getStats(second.base, second.token), 60_000);
    await stop(second.service);
    expect(await stored(ks)).toEqual(afterFirst);
  });

  test("a restart in the middle of a replay at the recorded pace ends exact", async () => {
    const ks = freshKeyspace();
    keyspaces.push(ks);
    const capture = pacedCapture(dir, 20);
    const first = await start(ks, capture, { REPLAY_PACE: "recorded" });
    await waitFor(
      () => getStats(first.base, first.token),
      (s) => s.messages >= 60,
      30_000,
      "part of the replay",
    );
    await stop(first.service);
    const midway = await stored(ks);
    expect(midway.messages).toBeGreaterThanOrEqual(60);
    expect(midway.messages).toBeLessThan(expectedFigures().messages);
    expect(midway.positions[capture]).toMatch(/^file-offset:\d+$/);

    const second = await start(ks, capture, { REPLAY_PACE: "recorded" });
    await second.service.streamDone;
    expect(second.service.ingest.counters.counted).toBe(expectedFigures().messages - midway.messages);
    await settledFixtureStats(() => getStats(second.base, second.token), 60_000);
  });
});

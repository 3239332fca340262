// A real three-node cluster at replication 3: losing a node mid-ingest stops neither ingest, /ready nor /login.
import { afterAll, afterEach, expect, test } from "bun:test";
import cassandra from "cassandra-driver";
import { nodePid, nodeUp } from "../../db/cassandra/cluster.ts";
import { CLUSTER_HOST, describeCluster, dropKeyspace, freshKeyspace, rawClient } from "../helpers/cassandra.ts";
import { readSummary } from "../helpers/cassandra-tables.ts";
import { expectedFigures, fixturePayloads, settledFixtureStats } from "../helpers/fixtures.ts";
import { health, killAll, spawnInstance, stopInstance, theLeader, troubles, type Instance } from "../helpers/instances.ts";
import { getStats, login, waitFor } from "../helpers/service.ts";
import { startSseServer, type SseServer } from "../helpers/sse-server.ts";

const payloads = fixturePayloads();
const running = new Set<Instance>();
const keyspaces: string[] = [];
let server: SseServer | undefined;

async function start(name: string, env: Record<string, string>): Promise<Instance> {
  const instance = await spawnInstance(name, env);
  running.add(instance);
  return instance;
}

/** Every totals column as the cluster holds it, read at QUORUM by a plain driver session. */
async function storedTotals(ks: string): Promise<Record<string, number>> {
  const client = await rawClient(CLUSTER_HOST);
  try {
    return await readSummary(client, ks, cassandra.types.consistencies.quorum);
  } finally {
    await client.shutdown();
  }
}

describeCluster("a three-node cluster at replication 3", () => {
  afterEach(() => {
    killAll(running);
    running.clear();
    server?.stop();
  });
  afterAll(async () => {
    for (const ks of keyspaces) await dropKeyspace(ks, CLUSTER_HOST);
  }, 60_000);

  // Restarting the killed node at the end takes about 20 s on two cores, and the ring check up to 120 s.
  test("SIGKILL one node mid-ingest: /ready stays 200 and /login works; after a graceful restart the totals read back are exact", async () => {
    const port = Number(CLUSTER_HOST!.split(",")[0]!.split(":")[1]);
    const victim = 3;
    const pid = nodePid(port, victim);
    if (pid === undefined)
      throw new Error(`no pid file for node ${victim} of the cluster at ${CLUSTER_HOST}; start it with CASSANDRA_NODES=3 bun run db:up`);
    server = startSseServer({ payloads, maxChunk: 300, seed: 31, chunkDelayMs: 5, script: [], after: { kind: "events", end: "hold" } });
    const ks = freshKeyspace();
    keyspaces.push(ks);
    const env = {
      STORAGE: "cassandra",
      CASSANDRA_HOST: CLUSTER_HOST!,
      CASSANDRA_KEYSPACE: ks,
      CASSANDRA_REPLICATION: "SimpleStrategy:3",
      STREAM_URL: server.url,
    };
    let instance = await start("a", env);
    try {
      await theLeader([instance]);
      await waitFor(
        () => health(instance),
        (h) => h.ingest.counted >= 40 && h.store.ready,
        60_000,
        "ingest to start",
      );
    } catch (error) {
      console.error(troubles(instance));
      throw error;
    }

    const readiness: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        readiness.push(
          await fetch(`${instance.base}/ready`).then(
            (r) => r.status,
            () => 0,
          ),
        );
        await Bun.sleep(100);
      }
    })();
    process.kill(pid, "SIGKILL");
    try {
      expect((await health(instance)).ingest.counted).toBeLessThan(payloads.length);
      const token = await login(instance.base);
      await settledFixtureStats(() => getStats(instance.base, token), 120_000);
      await waitFor(
        () => health(instance),
        (h) => h.store.pending_events === 0 && h.lease?.role === "leader",
        60_000,
        "everything flushed",
      );
      watching = false;
      await watcher;
      expect(readiness.length).toBeGreaterThan(20);
      if (readiness.some((status) => status !== 200)) console.error(troubles(instance));
      expect(readiness.filter((status) => status !== 200)).toEqual([]);

      expect(await stopInstance(instance)).toBe(0);
      running.delete(instance);
      instance = await start("a-restarted", env);
      await theLeader([instance]);
      const token2 = await login(instance.base);
      await settledFixtureStats(() => getStats(instance.base, token2), 60_000);
      const want = expectedFigures();
      expect(await storedTotals(ks)).toEqual({
        messages: want.messages,
        bots: want.bots,
        non_bots: want.non_bots,
        distinct_users: want.distinct_users,
      });
    } catch (error) {
      console.error(troubles(instance));
      throw error;
    } finally {
      watching = false;
      // Leave the cluster whole for the next run.
      const restartedAt = Date.now();
      await nodeUp(port, victim, 3);
      console.log(`node ${victim} restarted and back in the ring in ${Date.now() - restartedAt} ms`);
    }
  }, 300_000);
});

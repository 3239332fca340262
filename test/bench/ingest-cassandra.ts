// Ingest on the Cassandra store: N events (20% from new users, as in a backfill) as fast as the socket allows, timed
// until Cassandra's own tables hold all of them, exactly. RSS is sampled as /stats passes 25/50/75/100%.
import { cpuMeter, cpuMicros, fig, processIdentity, threadMeter, profileDir, round, rssBytes, until, withTimeout, atLeast, MB, type Context, type Figure } from "./common.ts";
import { benchKeyspace, CASSANDRA_HOST, cassandraPid, cassandraQuiet, connect, dropKeyspaces, storedSummary, storedTotals } from "./cassandra-util.ts";
import { addFed, fedEvents, WARM_EVENTS } from "./cassandra-fed.ts";
import { spawnService, waitAllCounted, type ServiceChild } from "./child.ts";
import { formatSummary, summariseDir } from "./cpu-profile.ts";
import { chunksFeed, startBlaster } from "./sse-blaster.ts";
import { assertExact, dataset, expectedOf, renderSse } from "./synthetic.ts";

const BENCH = "ingest-cassandra";
export const CASSANDRA_NEW_USER_SHARE = 0.2;
const QUARTILES = [0.25, 0.5, 0.75, 1] as const;

/** Events of each unmeasured run that warms Cassandra's JIT first. */
const WARM_UP_EVENTS = 100_000;

interface WarmUp {
  /** Events fed to this Cassandra process by earlier bench runs. */
  fedBefore: number;
  /** Cassandra's µs per event in each run of this one. */
  costs: number[];
}

/**
 * Unmeasured runs of the same pipeline, each in its own keyspace, until the local Cassandra process
 * has been fed WARM_EVENTS (see cassandra-fed.ts); a service in production runs on a warm Cassandra.
 * Without Cassandra's pid (a remote CASSANDRA_HOST, presumably warm) neither its cost nor what it was
 * fed can be read: one run.
 */
async function warmUp(ctx: Context): Promise<WarmUp> {
  const pid = cassandraPid();
  const identity = pid === undefined ? undefined : processIdentity(pid);
  const fedBefore = identity === undefined ? 0 : fedEvents(identity);
  const payloads = dataset(WARM_UP_EVENTS, CASSANDRA_NEW_USER_SHARE).payloads;
  const costs: number[] = [];
  const client = await connect();
  try {
    // One run against a remote Cassandra: what it was fed before cannot be known.
    const target = identity === undefined ? WARM_UP_EVENTS : WARM_EVENTS;
    for (let fed = fedBefore; fed < target;) {
      const run = await startOnCassandra(ctx, "warmup", payloads);
      try {
        const cassandraBusy = cpuMeter(pid);
        run.blaster.open();
        await waitAllCounted(run.service, WARM_UP_EVENTS, { timeoutMs: 60_000, intervalMs: 50 });
        // Counted is not yet written: wait for the last flush, so its cost lands in this run.
        await until(() => storedSummary(client, run.ks), (stored) => stored.messages >= WARM_UP_EVENTS, { timeoutMs: 60_000, intervalMs: 50, what: "the warm-up flushed" });
        const cost = cassandraBusy?.();
        costs.push(cost === undefined ? NaN : round(cost / WARM_UP_EVENTS, 1));
        fed = identity === undefined ? fed + WARM_UP_EVENTS : addFed(identity, WARM_UP_EVENTS);
      } finally {
        await run.stop();
        // Dropped at once: a kept keyspace's memtables would be flushed, and compacted, during the measured run.
        await dropKeyspaces([run.ks]);
        ctx.keyspaces.delete(run.ks);
      }
    }
  } finally {
    await client.shutdown();
  }
  return { fedBefore, costs };
}

/** How the measured run's Cassandra was warmed, for the log and the figures' notes. */
function describeWarmUp({ fedBefore, costs }: WarmUp): string {
  const now = costs.length === 0 ? "none in this run" : `${costs.length} in this run, Cassandra CPU ${costs.join(" → ")} µs/event`;
  return `${fedBefore + costs.length * WARM_UP_EVENTS} unmeasured events fed to this Cassandra first (${fedBefore} by earlier bench runs; runs of ${WARM_UP_EVENTS}: ${now})`;
}

/** The service on a new bench keyspace, connected to an SSE server that sends `payloads` once opened. */
async function startOnCassandra(ctx: Context, tag: string, payloads: readonly string[], cpuProfDir?: string) {
  const ks = benchKeyspace(tag);
  ctx.keyspaces.add(ks);
  const blaster = startBlaster(chunksFeed(renderSse(payloads)));
  let service: ServiceChild | undefined;
  const stop = async () => {
    await service?.stop();
    blaster.stop();
  };
  try {
    service = await spawnService({ env: { STREAM_URL: blaster.url, STORAGE: "cassandra", CASSANDRA_HOST, CASSANDRA_KEYSPACE: ks }, waitReady: true, cpuProfDir });
    await withTimeout(blaster.connected, 10_000, "the service connecting to the SSE server");
    const quietAfterMs = await cassandraQuiet();
    return { ks, blaster, service, stop, quietAfterMs };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function ingestCassandra(ctx: Context): Promise<Figure[]> {
  let warmed: WarmUp | undefined;
  if (!ctx.quick) {
    const started = performance.now();
    warmed = await warmUp(ctx);
    ctx.log(`Cassandra warm-up, ${Math.round(performance.now() - started)} ms: ${describeWarmUp(warmed)}`);
  }
  const n = ctx.sizes.cassandraEvents;
  const data = dataset(n, CASSANDRA_NEW_USER_SHARE);
  const expected = expectedOf(data);
  const client = await connect();
  const profDir = ctx.profile ? profileDir(BENCH) : undefined;
  let run: Awaited<ReturnType<typeof startOnCassandra>> | undefined;
  try {
    run = await startOnCassandra(ctx, "ingest", data.payloads, profDir);
    const { ks, blaster, service } = run;
    ctx.log(`Cassandra quiet ${run.quietAfterMs} ms after the keyspace was made`);
    const rssStart = rssBytes(service.pid);
    const cpuBefore = cpuMicros(service.pid);
    const threads = threadMeter(service.pid);
    const cassandraBusy = cpuMeter(cassandraPid());
    blaster.open();
    const rss: number[] = [];
    let durable: number | undefined;
    let lastTableRead = 0;
    const done = await waitAllCounted(service, n, {
      timeoutMs: ctx.quick ? 60_000 : 180_000,
      intervalMs: 20,
      each: async (stats) => {
        while (rss.length < QUARTILES.length && stats.messages >= QUARTILES[rss.length]! * n) rss.push(rssBytes(service.pid));
        // As often as /stats is polled for the in-memory rate, so both rates carry the same timing error.
        if (durable === undefined && performance.now() - lastTableRead >= 20) {
          lastTableRead = performance.now();
          const stored = await storedSummary(client, ks);
          if (stored.messages >= n && stored.distinct_users >= expected.distinct_users) durable = performance.now();
        }
        return durable !== undefined;
      },
    });
    const cassandraCpu = cassandraBusy?.() ?? NaN;
    const cpu = cpuMicros(service.pid) - cpuBefore;
    const byThread = threads(n);
    const rssDurable = rssBytes(service.pid);
    // server_counts rows go out in parallel batches of the same flush; wait for the last of them.
    let stored = await storedTotals(client, ks);
    for (let i = 0; i < 100 && Object.values(stored.by_server_url).reduce((a, b) => a + b, 0) < n; i++) {
      await Bun.sleep(100);
      stored = await storedTotals(client, ks);
    }
    assertExact("Cassandra tables after the ingest", stored, expected);
    if (stored.unique_rows !== expected.distinct_users) {
      throw new Error(`unique_users_by_bucket holds ${stored.unique_rows} rows, expected ${expected.distinct_users}`);
    }
    // /stats may reuse an answer for up to 100 ms after the last change (README, Reads): ask after that.
    await Bun.sleep(150);
    assertExact("/stats after the Cassandra ingest", await service.stats(), expected);
    if (blaster.connections !== 1) throw new Error(`the service reconnected (${blaster.connections} connections)`);

    const first = blaster.firstByteAt!;
    const seconds = (durable! - first) / 1000;
    const eps = n / seconds;
    ctx.log(`Cassandra ingest: ${Math.round(eps)} events/s durable`);
    const [q25, , , q100] = rss as [number, number, number, number];
    return [
      fig(BENCH, "events", n, "events", undefined, `${expected.distinct_users} distinct users, ${Object.keys(expected.by_server_url).length} server_urls${warmed === undefined ? "" : `; ${describeWarmUp(warmed)}`}`),
      fig(BENCH, "durable ingest rate (first byte → tables exact)", round(eps), "events/s", atLeast(50_000), "FLUSH_INTERVAL_MS default (1000)"),
      fig(BENCH, "counting rate (first byte → /health counted all)", round(n / ((done.countedAt - first) / 1000)), "events/s", undefined, "in memory, before the writes"),
      fig(BENCH, "new users made durable", round(expected.distinct_users / seconds), "users/s", undefined, "by cassandra_new_user_check (default read-then-insert)"),
      fig(BENCH, "child CPU per event", round(cpu / n, 2), "µs/event", undefined, `until the tables are exact; by thread, µs/event: ${byThread}`),
      fig(BENCH, "Cassandra server CPU per event", round(cassandraCpu / n, 2), "µs/event", undefined,
        `${round(cassandraCpu / 1e6 / seconds, 2)} of ${navigator.hardwareConcurrency} cores busy on average; ${round(cassandraCpu / expected.distinct_users)} µs per new user`),
      fig(BENCH, "RSS before the stream", round(rssStart / MB, 1), "MB"),
      ...QUARTILES.map((q, i) => fig(BENCH, `RSS when /stats passed ${q * 100}% of N`, round(rss[i]! / MB, 1), "MB")),
      fig(BENCH, "RSS once durable", round(rssDurable / MB, 1), "MB"),
      fig(BENCH, "RSS growth 25% → 100% of N", round((q100 - q25) / MB, 1), "MB", undefined,
        `${round((q100 - q25) / (0.75 * expected.distinct_users))} B per new user (includes garbage not yet collected)`),
    ];
  } finally {
    await run?.stop();
    await client.shutdown();
    if (profDir !== undefined) {
      const summary = summariseDir(profDir);
      if (summary) {
        ctx.profiles[BENCH] = summary;
        ctx.log(formatSummary(BENCH, summary));
      }
    }
  }
}

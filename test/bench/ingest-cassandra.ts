// Ingest on the Cassandra store: N events (20% from new users, as in a backfill) as fast as the socket allows, timed
// until Cassandra's own tables hold all of them, exactly. RSS is sampled as /stats passes 25/50/75/100%.
import type cassandra from "cassandra-driver";
import {
  cpuMeter,
  cpuMicros,
  fig,
  listed,
  median,
  medianBy,
  pairRatios,
  processIdentity,
  threadMeter,
  profileDir,
  round,
  rssBytes,
  until,
  withTimeout,
  atLeast,
  MB,
  type Context,
  type Figure,
} from "./common.ts";
import { readSummary } from "../helpers/cassandra-tables.ts";
import { benchKeyspace, CASSANDRA_HOST, cassandraPid, cassandraQuiet, connect, dropKeyspaces, storedTotals } from "./cassandra-util.ts";
import { addFed, fedEvents, WARM_EVENTS } from "./cassandra-fed.ts";
import { spawnService, waitAllCounted, type ServiceChild } from "./child.ts";
import { formatSummary, summariseDir } from "./cpu-profile.ts";
import { chunksFeed, startBlaster } from "./sse-blaster.ts";
import { inMemoryRun, type Run } from "./ingest-memory.ts";
import { assertExact, dataset, expectedOf, renderSse, type Expected } from "./synthetic.ts";

const BENCH = "ingest-cassandra";
export const CASSANDRA_NEW_USER_SHARE = 0.2;
const QUARTILES = [0.25, 0.5, 0.75, 1] as const;
/**
 * Measured pairs of an in-memory and a durable run: five, as ingest-memory's pairs, give a median
 * ratio that two slow pairs cannot move (single pairs ranged 0.41–0.58 in one run of three).
 */
const PAIRS = 5;

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
  const chunks = renderSse(dataset(WARM_UP_EVENTS, CASSANDRA_NEW_USER_SHARE).payloads);
  const costs: number[] = [];
  const client = await connect();
  try {
    // One run against a remote Cassandra: what it was fed before cannot be known.
    const target = identity === undefined ? WARM_UP_EVENTS : WARM_EVENTS;
    for (let fed = fedBefore; fed < target; ) {
      const run = await startOnCassandra(ctx, "warmup", chunks);
      try {
        const cassandraBusy = cpuMeter(pid);
        run.blaster.open();
        await waitAllCounted(run.service, WARM_UP_EVENTS, { timeoutMs: 60_000, intervalMs: 50 });
        // Counted is not yet written: wait for the last flush, so its cost lands in this run.
        await until(
          () => readSummary(client, run.ks),
          (stored) => stored.messages >= WARM_UP_EVENTS,
          { timeoutMs: 60_000, intervalMs: 50, what: "the warm-up flushed" },
        );
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
async function startOnCassandra(ctx: Context, tag: string, chunks: readonly Uint8Array[], cpuProfDir?: string) {
  const ks = benchKeyspace(tag);
  ctx.keyspaces.add(ks);
  const blaster = startBlaster(chunksFeed(chunks));
  let service: ServiceChild | undefined;
  const stop = async () => {
    await service?.stop();
    blaster.stop();
  };
  try {
    service = await spawnService({
      env: { STREAM_URL: blaster.url, STORAGE: "cassandra", CASSANDRA_HOST, CASSANDRA_KEYSPACE: ks },
      waitReady: true,
      cpuProfDir,
    });
    await withTimeout(blaster.connected, 10_000, "the service connecting to the SSE server");
    const quietAfterMs = await cassandraQuiet();
    return { ks, blaster, service, stop, quietAfterMs };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A Cassandra thread's group. Request stages run on one shared pool whose threads rename themselves
 * after the stage of their latest task ("Native-Transport-Requests-3", "CounterMutationStage-1", cut
 * to 15 characters), so their time is one group; other threads lose only the number of their pool.
 */
const poolOf = (thread: string): string =>
  /^(Native-Transpor|MutationStage|CounterMutation|ReadStage|RequestRespons|ViewMutationSt|SharedPool-Work)/.test(thread)
    ? "request stages"
    : thread.replace(/[-:#\s]*\d*$/, "");

/** Flushes the service has made, from its /metrics. */
async function flushCount(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = /^wikitally_store_flush_duration_seconds_count(?:\{\})? (\d+)/m.exec(text);
  if (!match) throw new Error("no wikitally_store_flush_duration_seconds_count in /metrics");
  return Number(match[1]);
}

/** One durable run's figures. */
interface DurableRun {
  /** Events/s from the first byte until the tables hold all N, and until /health counted all N. */
  eps: number;
  countedEps: number;
  seconds: number;
  cpuMicrosPerEvent: number;
  threads: string;
  cassandraCpu: number;
  /** Flushes (each writing a counter row per server URL it saw) until the tables held every event. */
  flushes: number;
  /** Cassandra's µs per event by thread pool. */
  cassandraThreads: string;
  rssStart: number;
  /** RSS as /stats passed each of QUARTILES. */
  rss: number[];
  rssDurable: number;
}

/** The service counting `chunks` into a new keyspace, timed until Cassandra's own tables hold them exactly. */
async function durableRun(
  ctx: Context,
  client: cassandra.Client,
  chunks: readonly Uint8Array[],
  expected: Expected,
  profDir: string | undefined,
): Promise<DurableRun> {
  const n = expected.messages;
  // As before an in-memory run: this process's garbage is not collected on the measured cores.
  Bun.gc(true);
  const run = await startOnCassandra(ctx, "ingest", chunks, profDir);
  try {
    const { ks, blaster, service } = run;
    ctx.log(`Cassandra quiet ${run.quietAfterMs} ms after the keyspace was made`);
    const rssStart = rssBytes(service.pid);
    const cpuBefore = cpuMicros(service.pid);
    const threads = threadMeter(service.pid);
    const pid = cassandraPid();
    const cassandraBusy = cpuMeter(pid);
    const cassandraThreads = pid === undefined ? undefined : threadMeter(pid, poolOf);
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
          const stored = await readSummary(client, ks);
          if (stored.messages >= n && stored.distinct_users >= expected.distinct_users) durable = performance.now();
        }
        return durable !== undefined;
      },
    });
    const cassandraCpu = cassandraBusy?.() ?? NaN;
    const cassandraByThread = cassandraThreads?.(n) ?? "unknown (no pid)";
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
    // /stats may reuse an answer for up to 100 ms after the last change (db/README.md, Reads): ask after that.
    await Bun.sleep(150);
    assertExact("/stats after the Cassandra ingest", await service.stats(), expected);
    // Read once the tables are exact and checked: a flush is counted when it ends, after its position
    // write, so read at the moment the counters landed, it missed the last flush.
    const flushes = await flushCount(service.base);
    if (blaster.connections !== 1) throw new Error(`the service reconnected (${blaster.connections} connections)`);
    const seconds = (durable! - blaster.firstByteAt!) / 1000;
    ctx.log(`Cassandra ingest: ${Math.round(n / seconds)} events/s durable`);
    return {
      eps: n / seconds,
      countedEps: n / ((done.countedAt - blaster.firstByteAt!) / 1000),
      seconds,
      cpuMicrosPerEvent: cpu / n,
      threads: byThread,
      cassandraCpu,
      cassandraThreads: cassandraByThread,
      flushes,
      rssStart,
      rss,
      rssDurable,
    };
  } finally {
    await run.stop();
    // Dropped at once, as the warm-up's are: its memtables would otherwise be flushed during the next run.
    await dropKeyspaces([run.ks]);
    ctx.keyspaces.delete(run.ks);
    if (profDir !== undefined) {
      const summary = summariseDir(profDir);
      if (summary) {
        ctx.profiles[BENCH] = summary;
        ctx.log(formatSummary(BENCH, summary));
      }
    }
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
  const chunks = renderSse(data.payloads);
  const pairs = ctx.quick ? 1 : PAIRS;
  const memory: Run[] = [];
  const durable: DurableRun[] = [];
  const client = await connect();
  try {
    // In-memory and durable runs of the same events take turns, and each ratio is taken within its
    // pair, so that a slow spell of this shared machine weighs on both sides of a ratio.
    for (let i = 0; i < pairs; i++) {
      // The in-memory run must not share the cores with Cassandra still working on the previous run.
      await cassandraQuiet();
      memory.push(await inMemoryRun(ctx, chunks, expected, undefined));
      // Only the first durable run is profiled, when asked: the profiler slows the child down.
      durable.push(await durableRun(ctx, client, chunks, expected, ctx.profile && i === 0 ? profileDir(BENCH) : undefined));
    }
  } finally {
    await client.shutdown();
  }
  const run = medianBy(durable, (d) => d.eps);
  const ratios = pairRatios(
    durable.map((d) => d.eps),
    memory.map((m) => m.eps),
  );
  const of = pairs > 1 ? `median of ${pairs} runs (all: ${listed(durable.map((d) => d.eps))}); ` : "";
  const [q25, , , q100] = run.rss as [number, number, number, number];
  return [
    fig(
      BENCH,
      "events",
      n,
      "events",
      undefined,
      `${expected.distinct_users} distinct users, ${Object.keys(expected.by_server_url).length} server_urls${warmed === undefined ? "" : `; ${describeWarmUp(warmed)}`}`,
    ),
    fig(
      BENCH,
      "durable ingest rate (first byte → tables exact)",
      round(run.eps),
      "events/s",
      atLeast(50_000),
      `${of}FLUSH_INTERVAL_MS default (1000)`,
    ),
    fig(
      BENCH,
      "counting rate (first byte → /health counted all)",
      round(run.countedEps),
      "events/s",
      undefined,
      "in memory, before the writes; of the median run",
    ),
    fig(
      BENCH,
      "in-memory ingest rate, the pairs' other runs",
      round(median(memory.map((m) => m.eps))),
      "events/s",
      undefined,
      `first byte → /stats exact, the same events on the in-memory store, each run right before a durable one; all: ${listed(memory.map((m) => m.eps))}`,
    ),
    fig(
      BENCH,
      "ratio durable (Cassandra) / in-memory ingest (events/s)",
      round(median(ratios), 2),
      "×",
      atLeast(0.4),
      pairs > 1 ? `median of ${pairs} pairs' ratios; all: ${listed(ratios, 2)}` : undefined,
    ),
    fig(
      BENCH,
      "new users made durable",
      round(expected.distinct_users / run.seconds),
      "users/s",
      undefined,
      "by cassandra_new_user_check (default read-then-insert)",
    ),
    fig(
      BENCH,
      "flushes until the tables were exact",
      run.flushes,
      "flushes",
      undefined,
      `of the median run; all: ${listed(durable.map((d) => d.flushes))}`,
    ),
    fig(
      BENCH,
      "child CPU per event",
      round(run.cpuMicrosPerEvent, 2),
      "µs/event",
      undefined,
      `until the tables are exact; by thread, µs/event: ${run.threads}`,
    ),
    fig(
      BENCH,
      "Cassandra server CPU per event",
      round(run.cassandraCpu / n, 2),
      "µs/event",
      undefined,
      `${round(run.cassandraCpu / 1e6 / run.seconds, 2)} of ${navigator.hardwareConcurrency} cores busy on average; ${round(run.cassandraCpu / expected.distinct_users)} µs per new user; by thread pool, µs/event: ${run.cassandraThreads}`,
    ),
    fig(BENCH, "RSS before the stream", round(run.rssStart / MB, 1), "MB"),
    ...QUARTILES.map((q, i) => fig(BENCH, `RSS when /stats passed ${q * 100}% of N`, round(run.rss[i]! / MB, 1), "MB")),
    fig(BENCH, "RSS once durable", round(run.rssDurable / MB, 1), "MB"),
    fig(
      BENCH,
      "RSS growth 25% → 100% of N",
      round((q100 - q25) / MB, 1),
      "MB",
      undefined,
      `${round((q100 - q25) / (0.75 * expected.distinct_users))} B per new user (includes garbage not yet collected)`,
    ),
  ];
}

// /stats under load while ingest runs, on both stores, against a bare Bun.serve doing the same I/O
// (the target's denominator) and a Bun.serve hello world (for information).
//
// The service first counts a burst of events (so /stats has its ~800 server_urls), then keeps
// ingesting at a steady 5,000 events/s while wrk (or load-client.ts) hammers /stats with a valid token.
import { join } from "node:path";
import {
  ROOT,
  atLeast,
  below,
  cpuMeter,
  fig,
  listed,
  median,
  pairRatios,
  profileDir,
  round,
  runQueueMeter,
  until,
  withTimeout,
  type Context,
  type Figure,
} from "./common.ts";
import { formatSummary, summariseDir } from "./cpu-profile.ts";
import { benchKeyspace, CASSANDRA_HOST, cassandraPid, probe } from "./cassandra-util.ts";
import { spawnService, stopChild, type ServiceChild } from "./child.ts";
import { pacedFeed, startBlaster } from "./sse-blaster.ts";
import { dataset } from "./synthetic.ts";
import { NEW_USER_SHARE } from "./ingest-memory.ts";
import { CASSANDRA_NEW_USER_SHARE } from "./ingest-cassandra.ts";

const BENCH = "stats-load";
const CONNECTIONS = 32;
const PACE_EVENTS_PER_TICK = 50;
const TICK_MS = 10;

interface LoadResult {
  tool: string;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** The server process's CPU time per answer, in µs, less what it spends without the load (ingest). */
  cpuUsPerAnswer?: number;
  /** Share of the load's time the server's main thread waited for a core, and the local Cassandra's CPU (cores). */
  waitShare?: number;
  cassandraCores?: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };

function parseWrk(out: string): LoadResult {
  const latency = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(out);
    if (!m) throw new Error(`no ${p}% latency in wrk output:\n${out}`);
    return Number(m[1]) * UNIT_MS[m[2]!]!;
  };
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const requests = /(\d+) requests in/.exec(out);
  if (!rps || !requests) throw new Error(`cannot read wrk output:\n${out}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    tool: "wrk",
    requests: Number(requests[1]),
    rps: Number(rps[1]),
    p50Ms: latency("50"),
    p99Ms: latency("99"),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    errors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

/** What browsers and HTTP libraries send; /stats answers it from a body compressed once per change. */
const ACCEPT_ENCODING = "gzip, deflate, br";

async function runLoad(url: string, seconds: number, token?: string): Promise<LoadResult> {
  const auth = token !== undefined ? `Bearer ${token}` : undefined;
  // BENCH_LOAD_TOOL=bun uses load-client.ts even where wrk is installed.
  if (Bun.which("wrk") && process.env.BENCH_LOAD_TOOL !== "bun") {
    const cmd = [
      "wrk",
      "-t1",
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      "--latency",
      "-H",
      `Accept-Encoding: ${ACCEPT_ENCODING}`,
      ...(auth ? ["-H", `Authorization: ${auth}`] : []),
      url,
    ];
    const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
    const out = await withTimeout(new Response(proc.stdout).text(), (seconds + 30) * 1000, "wrk");
    if ((await proc.exited) !== 0) throw new Error(`wrk failed: ${await new Response(proc.stderr).text()}`);
    return parseWrk(out);
  }
  const proc = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, "load-client.ts"),
      url,
      String(CONNECTIONS),
      String(seconds),
      ACCEPT_ENCODING,
      ...(auth ? [auth] : []),
    ],
    { stdout: "pipe" },
  );
  const out = await withTimeout(new Response(proc.stdout).text(), (seconds + 30) * 1000, "load-client.ts");
  const r = JSON.parse(out) as { requests: number; rps: number; p50_ms: number; p99_ms: number; non2xx: number; errors: number };
  return {
    tool: "bun load-client",
    requests: r.requests,
    rps: r.rps,
    p50Ms: r.p50_ms,
    p99Ms: r.p99_ms,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

/** A process answering on `url`: its CPU time is read from /proc. */
interface Server {
  url: string;
  pid: number;
}

const IDLE_MS = 1000;

/** Some /stats answers are 200 with the totals, and a missing token is refused. */
async function checkAnswers(service: ServiceChild): Promise<number> {
  const response = await fetch(`${service.base}/stats`, { headers: { Authorization: `Bearer ${service.token}` } });
  const body = await response.text();
  const stats = JSON.parse(body) as { messages?: number; by_server_url?: Record<string, number> };
  if (response.status !== 200 || !(Number(stats.messages) > 0) || Object.keys(stats.by_server_url ?? {}).length === 0) {
    throw new Error(`/stats answered ${response.status}: ${body.slice(0, 200)}`);
  }
  const anonymous = await fetch(`${service.base}/stats`);
  if (anonymous.status !== 401) throw new Error(`/stats without a token answered ${anonymous.status}, expected 401`);
  return body.length;
}

/** A service ingesting at a steady pace, its /stats answer as brotli bytes, and how to stop it. */
interface LoadedService extends Server {
  token: string;
  bodyBytes: number;
  brotli: Uint8Array;
  /** Events counted per second since started() was last called. */
  ingestRate(): Promise<number>;
  started(): Promise<void>;
  stop(): Promise<void>;
}

async function startLoaded(ctx: Context, store: "in-memory" | "cassandra"): Promise<LoadedService> {
  // The stores' own ingest data sets: 20% of events from new users on both stores.
  const data =
    store === "in-memory" ? dataset(ctx.sizes.ingestEvents, NEW_USER_SHARE) : dataset(ctx.sizes.cassandraEvents, CASSANDRA_NEW_USER_SHARE);
  const warm = Math.min(20_000, Math.floor(data.payloads.length / 2));
  const blaster = startBlaster(pacedFeed(data.payloads, { warm, events: PACE_EVENTS_PER_TICK, tickMs: TICK_MS }));
  const env: Record<string, string> = { STREAM_URL: blaster.url, STORAGE: store };
  if (store === "cassandra") {
    const ks = benchKeyspace("load");
    ctx.keyspaces.add(ks);
    Object.assign(env, { CASSANDRA_HOST, CASSANDRA_KEYSPACE: ks });
  }
  const name = `${BENCH}-${store}`;
  const profDir = ctx.profile ? profileDir(name) : undefined;
  const stopAll = async (service?: ServiceChild) => {
    await service?.stop();
    blaster.stop();
    const summary = profDir !== undefined ? summariseDir(profDir) : undefined;
    if (summary) {
      ctx.profiles[name] = summary;
      ctx.log(formatSummary(`${BENCH} (${store})`, summary));
    }
  };
  let service: ServiceChild | undefined;
  try {
    service = await spawnService({ env, waitReady: true, cpuProfDir: profDir });
    await withTimeout(blaster.connected, 10_000, "the service connecting to the SSE server");
    blaster.open();
    await until(service.stats, (s) => s.messages >= warm, { timeoutMs: 30_000, intervalMs: 50, what: `${warm} events counted` });
    // Measured in the steady state: the burst written (Cassandra), with at most a second's events pending.
    const pending = async () =>
      ((await (await fetch(`${service!.base}/health`)).json()) as { store: { pending_events: number } }).store.pending_events;
    await until(pending, (n) => n <= (PACE_EVENTS_PER_TICK * 1000) / TICK_MS, {
      timeoutMs: 60_000,
      intervalMs: 50,
      what: "the burst flushed",
    });
    const bodyBytes = await checkAnswers(service);
    const brotli = new Uint8Array(
      await (
        await fetch(`${service.base}/stats`, {
          headers: { Authorization: `Bearer ${service.token}`, "Accept-Encoding": "br" },
          decompress: false,
        })
      ).arrayBuffer(),
    );
    const s = service;
    let from = { messages: 0, at: 0 };
    return {
      url: `${s.base}/stats`,
      pid: s.pid,
      token: s.token,
      bodyBytes,
      brotli,
      async started() {
        from = { messages: (await s.stats()).messages, at: performance.now() };
      },
      async ingestRate() {
        return ((await s.stats()).messages - from.messages) / ((performance.now() - from.at) / 1000);
      },
      async stop() {
        await checkAnswers(s);
        await stopAll(s);
      },
    };
  } catch (error) {
    await stopAll(service);
    throw error;
  }
}

/** hello-server.ts; with `brotli`, answering as /stats does, on `threads` threads (see there). */
async function startHello(brotli?: Uint8Array, threads = 1): Promise<Server & { stop(): Promise<void> }> {
  const args = [process.execPath, join(import.meta.dir, "hello-server.ts")];
  if (brotli) {
    const file = join(ROOT, ".cache", "bench", "stats-body.br");
    await Bun.write(file, brotli);
    args.push(file, String(threads));
  }
  const child = Bun.spawn(args, { cwd: ROOT, stdout: "pipe" });
  const reader = child.stdout.getReader();
  const { value } = await withTimeout(reader.read(), 10_000, "hello-server.ts to start");
  reader.releaseLock();
  const { port } = JSON.parse(new TextDecoder().decode(value)) as { port: number };
  return { url: `http://127.0.0.1:${port}/`, pid: child.pid, stop: () => stopChild(child) };
}

/**
 * The servers take turns under the same load, `rounds` times, each sent the same requests (token and
 * Accept-Encoding included): one server's figures come from rounds interleaved with the others', so a
 * slow spell of this virtualised machine weighs on all of them alike.
 */
async function takeTurns(ctx: Context, servers: Record<string, Server>, token: string): Promise<Record<string, LoadResult[]>> {
  const results: Record<string, LoadResult[]> = {};
  for (let round = 0; round < ctx.sizes.loadRounds; round++) {
    for (const [name, { url, pid }] of Object.entries(servers)) {
      // CPU time is steadier than throughput on this shared machine: what a server spends without
      // the load (a service's ingest) is measured just before, and taken off.
      const idle = cpuMeter(pid)!;
      await Bun.sleep(IDLE_MS);
      const idlePerMs = idle() / IDLE_MS;
      const busy = cpuMeter(pid)!;
      const waited = runQueueMeter(pid);
      const cassandra = cpuMeter(cassandraPid());
      const started = performance.now();
      const result = await runLoad(url, ctx.sizes.loadSeconds, token);
      const ms = performance.now() - started;
      result.cpuUsPerAnswer = (busy() - idlePerMs * ms) / result.requests;
      result.waitShare = waited() / ms;
      if (cassandra !== undefined) result.cassandraCores = cassandra() / 1000 / ms;
      if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} of ${result.requests} answers under load were not 2xx`);
      (results[name] ??= []).push(result);
    }
  }
  return results;
}

const medianOf = (results: LoadResult[], key: "rps" | "p50Ms" | "p99Ms" | "cpuUsPerAnswer" | "waitShare" | "cassandraCores") =>
  median(results.map((r) => r[key] ?? NaN));
/** Per round, a over b; the median of those: each ratio is taken within one round. */
const ratioOf = (a: LoadResult[], b: LoadResult[]) =>
  median(
    pairRatios(
      a.map((r) => r.rps),
      b.map((r) => r.rps),
    ),
  );
const all = (results: LoadResult[], key: "rps" | "p99Ms") =>
  listed(
    results.map((r) => r[key]),
    key === "rps" ? 0 : 2,
  );
const percents = (results: LoadResult[], key: "waitShare" | "cassandraCores") =>
  listed(
    results.map((r) => (r[key] ?? NaN) * 100),
    1,
  );

const CPU_NOTE = "all the server's threads, less what it spends in the second before without the load (its ingest); median of the rounds";

/**
 * The figures of one /stats run against the servers of the same rounds: the target is set against a
 * bare Bun.serve doing /stats' I/O (the same headers read, the same compressed body and headers
 * sent), the hello world is for information.
 */
function statsFigures(
  label: string,
  ctx: Context,
  results: LoadResult[],
  like: LoadResult[],
  hello: LoadResult[],
  ingestRate: number,
  bodyBytes: number,
  share: number,
): Figure[] {
  const tool = results[0]!.tool;
  return [
    fig(
      BENCH,
      `${label} throughput`,
      round(medianOf(results, "rps")),
      "req/s",
      undefined,
      `median of ${results.length} rounds (${all(results, "rps")}); ${tool === "wrk" ? "wrk -t1" : tool} -c${CONNECTIONS} -d${ctx.sizes.loadSeconds}s; all 2xx; body ${bodyBytes} B`,
    ),
    fig(BENCH, `${label} p50 latency`, round(medianOf(results, "p50Ms"), 2), "ms"),
    fig(
      BENCH,
      `${label} p99 latency`,
      round(medianOf(results, "p99Ms"), 2),
      "ms",
      below(10),
      `median of the rounds' p99 (${all(results, "p99Ms")})`,
    ),
    fig(BENCH, `${label} CPU per answer`, round(medianOf(results, "cpuUsPerAnswer"), 1), "µs", undefined, CPU_NOTE),
    fig(
      BENCH,
      `${label} main thread waiting for a core`,
      round(medianOf(results, "waitShare") * 100, 1),
      "% of the load",
      undefined,
      `runnable but not running (schedstat), median of the rounds (${percents(results, "waitShare")})${
        results.every((r) => r.cassandraCores !== undefined)
          ? `; the local Cassandra meanwhile used ${round(medianOf(results, "cassandraCores") * 100)} % of a core (${percents(results, "cassandraCores")})`
          : ""
      }`,
    ),
    fig(
      BENCH,
      `${label} ingest during the load`,
      round(ingestRate),
      "events/s",
      undefined,
      `paced at ${(PACE_EVENTS_PER_TICK * 1000) / TICK_MS}/s, ${share * 100}% new users`,
    ),
    fig(
      BENCH,
      `ratio ${label} / Bun.serve like /stats (req/s)`,
      round(ratioOf(results, like), 2),
      "×",
      atLeast(0.85),
      "median of the rounds' ratios; what the service costs over the same I/O: auth, cache, metrics, ingest beside it",
    ),
    fig(
      BENCH,
      `ratio ${label} / hello world (req/s)`,
      round(ratioOf(results, hello), 2),
      "×",
      undefined,
      "median of the rounds' ratios; for information",
    ),
  ];
}

export async function statsLoad(ctx: Context): Promise<Figure[]> {
  const figures: Figure[] = [];
  const memory = await startLoaded(ctx, "in-memory");
  try {
    const hello = await startHello();
    // Same request and answer bytes, no service: how much of the gap is the request and answer themselves.
    const like = await startHello(memory.brotli);
    // The same on two threads: whether answering /stats on more threads would help on this machine.
    const like2 = await startHello(memory.brotli, 2);
    try {
      await memory.started();
      const r = await takeTurns(ctx, { hello, like, like2, memory }, memory.token);
      const ingest = await memory.ingestRate();
      ctx.log(
        `hello world ${Math.round(medianOf(r.hello!, "rps"))}, like /stats ${Math.round(medianOf(r.like!, "rps"))}, /stats ${Math.round(medianOf(r.memory!, "rps"))} req/s`,
      );
      figures.push(
        fig(
          BENCH,
          "hello world (Bun.serve) throughput",
          round(medianOf(r.hello!, "rps")),
          "req/s",
          undefined,
          `median of ${r.hello!.length} rounds (${all(r.hello!, "rps")}); same requests, child process`,
        ),
        fig(BENCH, "hello world p99 latency", round(medianOf(r.hello!, "p99Ms"), 2), "ms"),
        ...statsFigures("/stats (in-memory)", ctx, r.memory!, r.like!, r.hello!, ingest, memory.bodyBytes, NEW_USER_SHARE),
        fig(
          BENCH,
          "Bun.serve answering like /stats throughput",
          round(medianOf(r.like!, "rps")),
          "req/s",
          undefined,
          `reads the 3 headers /stats reads, sends /stats' ${memory.brotli.length} B brotli body with its 4 headers; no ingest beside it`,
        ),
        fig(
          BENCH,
          "ratio Bun.serve like /stats / hello world",
          round(ratioOf(r.like!, r.hello!), 2),
          "×",
          undefined,
          "a ceiling for the /stats ratio",
        ),
        fig(
          BENCH,
          "ratio Bun.serve like /stats on 2 threads / hello world",
          round(ratioOf(r.like2!, r.hello!), 2),
          "×",
          undefined,
          `two Bun.serve on one port (reusePort), one per thread; median of the rounds' ratios; req/s ${all(r.like2!, "rps")}`,
        ),
        fig(BENCH, "hello world CPU per answer", round(medianOf(r.hello!, "cpuUsPerAnswer"), 1), "µs", undefined, CPU_NOTE),
        fig(BENCH, "Bun.serve like /stats CPU per answer", round(medianOf(r.like!, "cpuUsPerAnswer"), 1), "µs", undefined, CPU_NOTE),
      );
    } finally {
      await hello.stop();
      await like.stop();
      await like2.stop();
    }
  } finally {
    await memory.stop();
  }
  const cassandra = await probe();
  if (cassandra.version === undefined) {
    ctx.log(`stats-load on Cassandra SKIPPED: ${cassandra.error}`);
    return figures;
  }
  const durable = await startLoaded(ctx, "cassandra");
  try {
    const hello = await startHello();
    const like = await startHello(durable.brotli);
    try {
      await durable.started();
      const r = await takeTurns(ctx, { hello, like, cassandra: durable }, durable.token);
      figures.push(
        ...statsFigures(
          "/stats (cassandra)",
          ctx,
          r.cassandra!,
          r.like!,
          r.hello!,
          await durable.ingestRate(),
          durable.bodyBytes,
          CASSANDRA_NEW_USER_SHARE,
        ),
      );
    } finally {
      await hello.stop();
      await like.stop();
    }
  } finally {
    await durable.stop();
  }
  return figures;
}

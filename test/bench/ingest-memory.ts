// Ingest on the in-memory store: the service in a child process reads N events from a loopback SSE
// server as fast as the socket allows. Compared with a ceiling in this process: classify (JSON.parse)
// + Tally over the same payloads, already in memory, with no network and no SSE parsing.
import { join } from "node:path";
import { classify } from "../../src/stats/classify.ts";
import { Tally } from "../../src/stats/tally.ts";
import {
  atLeast,
  cpuMicros,
  fig,
  listed,
  machineMeter,
  median,
  medianBy,
  pairRatios,
  threadMeter,
  profileDir,
  round,
  withTimeout,
  MB,
  type Context,
  type Figure,
} from "./common.ts";
import { spawnService, waitAllCounted } from "./child.ts";
import { formatSummary, summariseDir } from "./cpu-profile.ts";
import { chunksFeed, startBlaster } from "./sse-blaster.ts";
import { assertExact, dataset, expectedOf, renderSse, type Expected } from "./synthetic.ts";

const BENCH = "ingest-memory";
/** Ceiling and service runs, in turns: five pairs give a median ratio that one slow pair cannot move. */
const PAIRS = 5;
export const NEW_USER_SHARE = 0.2;

interface Ceiling {
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
}

/** classify + Tally over payloads already in memory, after a warm-up so the JIT has done its work. */
function measureCeiling(payloads: readonly string[], expected: Expected): Ceiling {
  const count = (tally: Tally, list: readonly string[]) => {
    for (const data of list) {
      const verdict = classify(data);
      if (typeof verdict === "object") tally.add(verdict);
    }
  };
  count(new Tally(), payloads.slice(0, 20_000));
  Bun.gc(true);
  const tally = new Tally();
  const cpu = process.cpuUsage();
  const start = performance.now();
  count(tally, payloads);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  assertExact("the ceiling's own Tally", tally.toStats(), expected);
  return { eventsPerSecond: payloads.length / seconds, cpuMicrosPerEvent: (used.user + used.system) / payloads.length };
}

interface Reference {
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
}

/** pipeline-child.ts over the same bytes: what fetch + SseParser + classifyBinary + Tally do on their own. */
async function reference(chunks: readonly Uint8Array[], events: number, mode: "read" | "pipeline"): Promise<Reference> {
  Bun.gc(true);
  const blaster = startBlaster(chunksFeed(chunks));
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "pipeline-child.ts"), blaster.url, String(events), mode], {
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    await withTimeout(blaster.connected, 10_000, "pipeline-child.ts connecting");
    blaster.open();
    const out = await withTimeout(new Response(child.stdout).text(), 60_000, `pipeline-child.ts ${mode}`);
    if ((await child.exited) !== 0) throw new Error(`pipeline-child.ts ${mode} failed: ${await new Response(child.stderr).text()}`);
    return JSON.parse(out) as Reference;
  } finally {
    child.kill();
    blaster.stop();
  }
}

export interface Run {
  /** Events/s from the first byte to /stats, and to /health, showing all N. */
  eps: number;
  countedEps: number;
  cpuMicrosPerEvent: number;
  /** µs per event by thread. */
  threads: string;
  seconds: number;
  /** Share of both cores busy during the run, and this process's CPU (SSE server, polling) per event. */
  machineBusy: number;
  benchMicrosPerEvent: number;
}

/** One service child counting the whole stream on the in-memory store; its totals must be exact. */
export async function inMemoryRun(
  ctx: Context,
  chunks: readonly Uint8Array[],
  expected: Expected,
  profDir: string | undefined,
): Promise<Run> {
  const n = expected.messages;
  // This process's garbage (the ceiling's parsed events, a previous run's) would otherwise be
  // collected during the run, on the cores the service is measured on.
  Bun.gc(true);
  const blaster = startBlaster(chunksFeed(chunks));
  try {
    const service = await spawnService({ env: { STREAM_URL: blaster.url, STORAGE: "in-memory" }, cpuProfDir: profDir });
    try {
      await withTimeout(blaster.connected, 10_000, "the service connecting to the SSE server");
      const cpuBefore = cpuMicros(service.pid);
      const threads = threadMeter(service.pid);
      const machine = machineMeter();
      const benchCpu = process.cpuUsage();
      blaster.open();
      const done = await waitAllCounted(service, n, { timeoutMs: 30_000 + n / 2, intervalMs: 20 });
      const cpu = cpuMicros(service.pid) - cpuBefore;
      const machineBusy = machine();
      const benchUsed = process.cpuUsage(benchCpu);
      const byThread = threads(n);
      assertExact("/stats after the in-memory ingest", done.stats, expected);
      if (blaster.connections !== 1) throw new Error(`the service reconnected (${blaster.connections} connections)`);
      const seconds = (done.statsAt - blaster.firstByteAt!) / 1000;
      const run = {
        eps: n / seconds,
        countedEps: n / ((done.countedAt - blaster.firstByteAt!) / 1000),
        cpuMicrosPerEvent: cpu / n,
        threads: byThread,
        seconds,
        machineBusy,
        benchMicrosPerEvent: (benchUsed.user + benchUsed.system) / n,
      };
      ctx.log(`in-memory ingest: ${Math.round(run.eps)} events/s (/stats), ${Math.round(run.countedEps)} (/health)`);
      return run;
    } finally {
      await service.stop();
    }
  } finally {
    blaster.stop();
  }
}

/** A target ratio: the median of the ratios taken within each pair of runs, all of them in the note. */
function ratioFigure(figure: string, ratios: number[]): Figure {
  const note =
    ratios.length > 1
      ? `median of ${ratios.length} pairs, each ceiling run right before its ingest run; all: ${listed(ratios, 2)}`
      : undefined;
  return fig(BENCH, figure, round(median(ratios), 2), "×", atLeast(0.65), note);
}

export async function ingestMemory(ctx: Context): Promise<Figure[]> {
  const n = ctx.sizes.ingestEvents;
  const repeats = ctx.quick ? 1 : PAIRS;
  const data = dataset(n, NEW_USER_SHARE);
  const expected = expectedOf(data);
  const chunks = renderSse(data.payloads);
  const bytes = chunks.reduce((sum, c) => sum + c.length, 0);
  const ceilings: Ceiling[] = [];
  const runs: Run[] = [];
  // Ceiling and ingest take turns, and each ratio is taken within its pair: a slow spell of this
  // shared machine then weighs on both sides of a ratio, not on one side of all of them.
  for (let i = 0; i < repeats; i++) {
    ceilings.push(measureCeiling(data.payloads, expected));
    ctx.log(`ceiling: ${Math.round(ceilings.at(-1)!.eventsPerSecond)} events/s`);
    // Only the first run is profiled, when asked: the profiler slows the child down.
    const profDir = ctx.profile && i === 0 ? profileDir(BENCH) : undefined;
    runs.push(await inMemoryRun(ctx, chunks, expected, profDir));
    const summary = profDir !== undefined ? summariseDir(profDir) : undefined;
    if (summary) {
      ctx.profiles[BENCH] = summary;
      ctx.log(formatSummary(BENCH, summary));
    }
  }
  const ceilingRates = ceilings.map((c) => c.eventsPerSecond);
  const ceiling = medianBy(ceilings, (c) => c.eventsPerSecond);
  const run = medianBy(runs, (r) => r.eps);
  const counted = medianBy(runs, (r) => r.countedEps);
  const cpu = medianBy(runs, (r) => r.cpuMicrosPerEvent);
  const read = await reference(chunks, n, "read");
  const pipeline = await reference(chunks, n, "pipeline");
  const of = repeats > 1 ? `median of ${repeats} runs; ` : "";
  return [
    fig(
      BENCH,
      "events",
      n,
      "events",
      undefined,
      `${data.users.length} distinct users, ${Object.keys(expected.by_server_url).length} server_urls, ${round(bytes / n)} B/frame`,
    ),
    fig(
      BENCH,
      "ingest rate (first byte → /stats exact)",
      round(run.eps),
      "events/s",
      undefined,
      `${of}all: ${runs.map((r) => round(r.eps)).join(", ")}; /stats may be cached for up to 100 ms while events arrive, 20 ms once they stop`,
    ),
    fig(
      BENCH,
      "ingest rate (first byte → /health counted all)",
      round(counted.countedEps),
      "events/s",
      undefined,
      `${of}all: ${runs.map((r) => round(r.countedEps)).join(", ")}; live counter`,
    ),
    fig(BENCH, "stream bandwidth", round(bytes / MB / run.seconds, 1), "MB/s"),
    fig(
      BENCH,
      "child CPU per event",
      round(cpu.cpuMicrosPerEvent, 2),
      "µs/event",
      undefined,
      `${of}utime+stime of the child, all threads, /proc; by thread, µs/event: ${cpu.threads}`,
    ),
    fig(
      BENCH,
      "machine busy during ingest",
      round(median(runs.map((r) => r.machineBusy)) * 100),
      "%",
      undefined,
      `${of}both cores, /proc/stat; all: ${listed(runs.map((r) => r.machineBusy * 100))}; the bench process (SSE server, polling) used ${round(median(runs.map((r) => r.benchMicrosPerEvent)), 2)} µs/event of it`,
    ),
    fig(
      BENCH,
      "ceiling: classify+Tally in memory",
      round(ceiling.eventsPerSecond),
      "events/s",
      undefined,
      `${of}all: ${ceilings.map((c) => round(c.eventsPerSecond)).join(", ")}`,
    ),
    fig(BENCH, "ceiling CPU per event", round(ceiling.cpuMicrosPerEvent, 2), "µs/event"),
    ratioFigure(
      "ratio ingest (/stats) / ceiling (events/s)",
      pairRatios(
        runs.map((r) => r.eps),
        ceilingRates,
      ),
    ),
    ratioFigure(
      "ratio ingest (/health) / ceiling (events/s)",
      pairRatios(
        runs.map((r) => r.countedEps),
        ceilingRates,
      ),
    ),
    fig(BENCH, "ratio ceiling CPU / child CPU", round(ceiling.cpuMicrosPerEvent / cpu.cpuMicrosPerEvent, 2), "×"),
    fig(
      BENCH,
      "reference: fetch body read only",
      round(read.eventsPerSecond),
      "events/s",
      undefined,
      `bare child, ${round(read.cpuMicrosPerEvent, 2)} µs/event CPU`,
    ),
    fig(
      BENCH,
      "reference: fetch+SseParser+classify+Tally",
      round(pipeline.eventsPerSecond),
      "events/s",
      undefined,
      `bare child, no service around it, ${round(pipeline.cpuMicrosPerEvent, 2)} µs/event CPU`,
    ),
    fig(
      BENCH,
      "ratio ingest (/health) / bare pipeline",
      round(counted.countedEps / pipeline.eventsPerSecond, 2),
      "×",
      undefined,
      "what the service adds to its building blocks",
    ),
  ];
}

// CPU at the live stream's pace: the service against the least a reader of the same stream does.
//
// Each reader gets its own loopback SSE server sending the same recorded-like events, one a write,
// at EVENTS_PER_S, all of them started together: the service (in-memory store) and bare-reader.ts
// (fetch, split on blank lines, JSON.parse, nothing else), in child processes. After a warm-up, the
// CPU time of each process (all threads) is read over the same windows, and the ratio is taken
// within each window. Every stream is finite: at the end each reader must have counted every event
// (the service's /stats exactly), which is all that --quick checks.
// The full run adds informative readers: the service with every batch sent to its classifier worker
// (force-worker.ts; at this pace the service classifies on its main thread) and the bare reader
// parsing on a worker, to tell what the worker's messages cost at this pace; and the service's own
// building blocks without the service (pipeline-child.ts), to tell their share of the gap.
import { join } from "node:path";
import { spawnService, stopChild, waitAllCounted, type ServiceChild } from "./child.ts";
import { formatSummary, summariseDir } from "./cpu-profile.ts";
import {
  atMost,
  fig,
  listed,
  median,
  pairRatios,
  preciseCpuMeter,
  profileDir,
  round,
  withTimeout,
  type Context,
  type Figure,
} from "./common.ts";
import { NEW_USER_SHARE } from "./ingest-memory.ts";
import { pacedFeed, startBlaster, type Blaster } from "./sse-blaster.ts";
import { assertExact, dataset, expectedOf, type Expected } from "./synthetic.ts";

const BENCH = "steady-cpu";
const EVENTS_PER_S = 50;
const TICK_MS = 1000 / EVENTS_PER_S;
const TARGET = 1.3;

interface Reader {
  pid: number;
  /** Waits until the reader has counted every event, and throws if its counts are off. */
  finished(): Promise<void>;
  stop(): Promise<void>;
}

type Start = (url: string, expected: Expected) => Promise<Reader>;

const service =
  (options: { preload?: string; cpuProfDir?: string | undefined } = {}): Start =>
  async (url, expected) => {
    const { preload, cpuProfDir } = options;
    const child: ServiceChild = await spawnService({
      env: { STREAM_URL: url, STORAGE: "in-memory" },
      waitReady: true,
      preload,
      cpuProfDir,
    });
    return {
      pid: child.pid,
      async finished() {
        const done = await waitAllCounted(child, expected.messages, { timeoutMs: 30_000, intervalMs: 50 });
        assertExact(
          `/stats of the service at ${EVENTS_PER_S} events/s${preload ? " (every batch on the worker)" : ""}`,
          done.stats,
          expected,
        );
      },
      stop: () => child.stop(),
    };
  };

const bare =
  (mode: "main" | "worker"): Start =>
  async (url, { messages: events }) => {
    const child = Bun.spawn([process.execPath, join(import.meta.dir, "bare-reader.ts"), url, String(events), mode], {
      stdout: "pipe",
      stderr: "pipe",
    });
    return {
      pid: child.pid,
      async finished() {
        const out = await withTimeout(new Response(child.stdout).text(), 30_000, `bare-reader.ts ${mode} counting ${events} events`);
        if ((await child.exited) !== 0) throw new Error(`bare-reader.ts ${mode} failed: ${await new Response(child.stderr).text()}`);
        const counted = (JSON.parse(out) as { events: number }).events;
        if (counted !== events) throw new Error(`bare-reader.ts ${mode} counted ${counted} of ${events} events`);
      },
      stop: () => stopChild(child),
    };
  };

/** pipeline-child.ts: the service's own building blocks (SseParser, classifyBinary, Tally) without the service around them. */
const pipeline: Start = async (url, { messages: events }) => {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "pipeline-child.ts"), url, String(events), "pipeline"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  return {
    pid: child.pid,
    async finished() {
      await withTimeout(new Response(child.stdout).text(), 30_000, `pipeline-child.ts counting ${events} events`);
      // It exits non-zero unless its Tally counted every event.
      if ((await child.exited) !== 0) throw new Error(`pipeline-child.ts failed: ${await new Response(child.stderr).text()}`);
    },
    stop: () => stopChild(child),
  };
};

interface Entry {
  name: string;
  start: Start;
  blaster?: Blaster;
  reader?: Reader;
  /** µs of CPU in each window. */
  windows: number[];
  threads: string[];
}

export async function steadyCpu(ctx: Context): Promise<Figure[]> {
  const warmS = ctx.quick ? 1 : 3;
  const windowS = ctx.quick ? 3 : 20;
  const rounds = ctx.quick ? 1 : 3;
  // A second more than the windows need, so that no window sees the end of the stream.
  const events = EVENTS_PER_S * (warmS + rounds * windowS + 1);
  const data = dataset(events, NEW_USER_SHARE);
  const expected = expectedOf(data);
  // With --profile, the service's figures are the profiler's too: use it to find costs, not for the ratio.
  const profDir = ctx.profile ? profileDir(BENCH) : undefined;
  const entries: Entry[] = [
    { name: "service", start: service({ cpuProfDir: profDir }), windows: [], threads: [] },
    { name: "bare reader", start: bare("main"), windows: [], threads: [] },
  ];
  if (!ctx.quick) {
    entries.push(
      {
        name: "service, every batch on the worker",
        start: service({ preload: join(import.meta.dir, "force-worker.ts") }),
        windows: [],
        threads: [],
      },
      { name: "bare reader, JSON.parse on a worker", start: bare("worker"), windows: [], threads: [] },
      { name: "the service's parser + classify + Tally alone", start: pipeline, windows: [], threads: [] },
    );
  }
  try {
    for (const entry of entries) {
      entry.blaster = startBlaster(pacedFeed(data.payloads, { events: 1, tickMs: TICK_MS, once: true }));
      entry.reader = await entry.start(entry.blaster.url, expected);
      await withTimeout(entry.blaster.connected, 10_000, `${entry.name} connecting to the SSE server`);
    }
    // Each stream's writes get their own slot of the tick. Opened together, the first reader's write
    // wakes it while this process still writes to the others, and that reader then uses more CPU than
    // the same reader woken alone, so the ratio leant on the order of the entries.
    for (const entry of entries) {
      entry.blaster!.open();
      await Bun.sleep(TICK_MS / entries.length);
    }
    await Bun.sleep(warmS * 1000);
    for (let r = 0; r < rounds; r++) {
      const meters = entries.map((e) => preciseCpuMeter(e.reader!.pid));
      const started = performance.now();
      await Bun.sleep(windowS * 1000);
      const ms = performance.now() - started;
      entries.forEach((e, i) => {
        const used = meters[i]!();
        e.windows.push(used.micros / (ms / 1000));
        e.threads.push(used.byThread);
        ctx.log(`window ${r + 1}: ${e.name} ${round(used.micros / (ms * 10), 2)} % of a core (${used.byThread})`);
      });
    }
    await Promise.all(entries.map((e) => withTimeout(e.blaster!.finished, 30_000, `the SSE server of ${e.name} sending every event`)));
    for (const entry of entries) {
      await entry.reader!.finished();
      if (entry.blaster!.connections !== 1) throw new Error(`${entry.name} reconnected (${entry.blaster!.connections} connections)`);
    }
  } finally {
    for (const entry of entries) {
      await entry.reader?.stop();
      entry.blaster?.stop();
    }
  }
  const summary = profDir !== undefined ? summariseDir(profDir, 25) : undefined;
  if (summary) {
    ctx.profiles[BENCH] = summary;
    ctx.log(formatSummary(`${BENCH} (service)`, summary));
  }

  const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
  // µs per s of wall time is a share of a core in millionths: / 1e4 gives %.
  const percent = (e: Entry) => round(median(e.windows) / 1e4, 2);
  const figures: Figure[] = [
    fig(
      BENCH,
      "events",
      events,
      "events",
      undefined,
      `each reader its own loopback SSE server, the same events, one a write every ${TICK_MS} ms; all counted exactly`,
    ),
  ];
  for (const e of entries) {
    figures.push(
      fig(
        BENCH,
        `${e.name}: CPU at ${EVENTS_PER_S} events/s`,
        percent(e),
        "% of a core",
        undefined,
        `median of ${rounds} × ${windowS} s (${listed(
          e.windows.map((w) => w / 1e4),
          2,
        )}), all threads (schedstat); by thread, µs in the last window: ${e.threads.at(-1)}`,
      ),
      fig(BENCH, `${e.name}: CPU per event`, round(median(e.windows) / EVENTS_PER_S, 1), "µs"),
    );
  }
  const ratio = (a: string, b: string) => pairRatios(byName[a]!.windows, byName[b]!.windows);
  const main = ratio("service", "bare reader");
  figures.push(
    fig(
      BENCH,
      `ratio service / bare reader, CPU at ${EVENTS_PER_S} events/s`,
      round(median(main), 2),
      "×",
      ctx.quick ? undefined : atMost(TARGET),
      ctx.quick
        ? `--quick: not checked (target <= ${TARGET} in a full run)`
        : `median of the windows' ratios (${listed(main, 2)}); same windows, readers side by side`,
    ),
  );
  if (!ctx.quick) {
    const forced = ratio("service, every batch on the worker", "service");
    const bareWorker = ratio("bare reader, JSON.parse on a worker", "bare reader");
    const blocks = ratio("the service's parser + classify + Tally alone", "bare reader");
    figures.push(
      fig(
        BENCH,
        "ratio service with every batch on the worker / service",
        round(median(forced), 2),
        "×",
        undefined,
        `median of the windows' ratios (${listed(forced, 2)}); the service has no switch for it: force-worker.ts`,
      ),
      fig(
        BENCH,
        "ratio bare reader parsing on a worker / bare reader",
        round(median(bareWorker), 2),
        "×",
        undefined,
        `median of the windows' ratios (${listed(bareWorker, 2)})`,
      ),
      fig(
        BENCH,
        "ratio service's parser + classify + Tally alone / bare reader",
        round(median(blocks), 2),
        "×",
        undefined,
        `median of the windows' ratios (${listed(blocks, 2)}); pipeline-child.ts: how much of the gap the building blocks make`,
      ),
    );
  }
  return figures;
}

// What ingest costs at a steady pace, with nothing else to do: the live stream's case, not a backfill's.
//
// Wikimedia's stream brings tens of events a second, a few per read; stats-load ingests 5,000 a
// second beside its load. Per event, both cost more than a burst does: each read wakes the service,
// and a batch handed to the classifier worker wakes the worker and then the main thread again.
import { counted, spawnService } from "./child.ts";
import { cpuMeter, fig, listed, median, medianBy, round, threadMeter, until, withTimeout, type Context, type Figure } from "./common.ts";
import { pacedFeed, startBlaster } from "./sse-blaster.ts";
import { dataset } from "./synthetic.ts";
import { NEW_USER_SHARE } from "./ingest-memory.ts";

const BENCH = "ingest-paced";

interface Pace {
  name: string;
  /** Events in each write, one write every tickMs. */
  events: number;
  tickMs: number;
}

const PACES: Pace[] = [
  { name: "live-like, 100 events/s one per read", events: 1, tickMs: 10 },
  { name: "steady, 5,000 events/s in reads of 50", events: 50, tickMs: 10 },
];

interface Round {
  /** Share of one core, 0..1. */
  core: number;
  usPerEvent: number;
  eventsPerS: number;
  threads: string;
}

export async function ingestPaced(ctx: Context): Promise<Figure[]> {
  const figures: Figure[] = [];
  const data = dataset(ctx.quick ? 2_000 : 20_000, NEW_USER_SHARE);
  const seconds = ctx.quick ? 1 : 4;
  const rounds = ctx.quick ? 1 : 3;
  for (const pace of PACES) {
    const blaster = startBlaster(pacedFeed(data.payloads, pace));
    const service = await spawnService({ env: { STREAM_URL: blaster.url, STORAGE: "in-memory" }, waitReady: true });
    try {
      await withTimeout(blaster.connected, 10_000, "the service connecting to the SSE server");
      blaster.open();
      // Past start-up and the JIT's first compilations.
      await until(
        () => counted(service.base),
        (n) => n >= pace.events * (1000 / pace.tickMs),
        { timeoutMs: 10_000, intervalMs: 100, what: "a second of events counted" },
      );
      await Bun.sleep(1000);
      const measured: Round[] = [];
      for (let r = 0; r < rounds; r++) {
        const before = await counted(service.base);
        const cpu = cpuMeter(service.pid)!;
        const byThread = threadMeter(service.pid);
        const started = performance.now();
        await Bun.sleep(seconds * 1000);
        const micros = cpu();
        const elapsedS = (performance.now() - started) / 1000;
        const events = (await counted(service.base)) - before;
        measured.push({
          core: micros / 1e6 / elapsedS,
          usPerEvent: micros / events,
          eventsPerS: events / elapsedS,
          threads: byThread(events),
        });
      }
      const typical = medianBy(measured, (m) => m.core);
      ctx.log(`${pace.name}: ${round(typical.core * 100, 1)} % of a core, ${round(typical.usPerEvent, 1)} µs an event`);
      figures.push(
        fig(
          BENCH,
          `${pace.name}: CPU`,
          round(median(measured.map((m) => m.core * 100)), 1),
          "% of a core",
          undefined,
          `median of ${rounds} × ${seconds} s (${listed(
            measured.map((m) => m.core * 100),
            1,
          )}); counted ${round(typical.eventsPerS)} events/s; in-memory store, nothing else asked of it`,
        ),
        fig(
          BENCH,
          `${pace.name}: CPU per event`,
          round(median(measured.map((m) => m.usPerEvent)), 1),
          "µs",
          undefined,
          `by thread, in the median round: ${typical.threads}`,
        ),
      );
    } finally {
      await service.stop();
      blaster.stop();
    }
  }
  return figures;
}

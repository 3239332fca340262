// The in-memory window index (src/windows/) alone, in a child process with a fresh heap: a day of a
// live-like stream fed to MemoryWindows, then RSS and the time of each query kind. The figures and
// the stream are windows-memory-child.ts's and windows-stream.ts's.
import { join } from "node:path";
import { atMost, below, fig, MB, round, withTimeout, type Context, type Figure } from "./common.ts";
import type { WindowsMemoryResult } from "./windows-memory-child.ts";

const BENCH = "windows-memory";

export async function windowsMemory(ctx: Context): Promise<Figure[]> {
  // --quick: two hours of the stream (its pools scaled to match) and a few rounds, a few seconds in all.
  const hours = ctx.quick ? 2 : 24;
  const rounds = ctx.quick ? 5 : 100;
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "windows-memory-child.ts"), String(hours), String(rounds)], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = await withTimeout(new Response(child.stdout).text(), 300_000, "windows-memory-child.ts");
  if ((await child.exited) !== 0) throw new Error(`windows-memory-child.ts failed: ${await new Response(child.stderr).text()}`);
  const r = JSON.parse(out) as WindowsMemoryResult;
  ctx.log(`${BENCH}: ${round(r.rssAfterBytes / MB)} MB RSS after ${r.events} events`);
  const k = r.kept;
  const figures = [
    fig(
      BENCH,
      `events fed (${hours} h at 50/s)`,
      r.events,
      "events",
      undefined,
      `kept: ${k.users} users, ${k.pages} pages, ${k.servers} wikis, ${k.minutes} minute and ${k.hours} hour buckets; ${r.tooOld} too old`,
    ),
    fig(BENCH, "ingest into the index", round(r.ingestNsPerEvent), "ns/event"),
    fig(BENCH, "RSS before the stream", round(r.rssBaselineBytes / MB, 1), "MB"),
    fig(
      BENCH,
      "RSS after the stream and a GC (lowest over 3 s)",
      round(r.rssAfterBytes / MB, 1),
      "MB",
      ctx.quick ? undefined : atMost(1024),
    ),
    fig(BENCH, "JS heap after the stream", round(r.heapBytes / MB, 1), "MB"),
  ];
  for (const [name, q] of Object.entries(r.queries)) {
    figures.push(fig(BENCH, `${name}: p50`, round(q.p50, 3), "ms"));
    figures.push(fig(BENCH, `${name}: p99 of ${q.runs}`, round(q.p99, 3), "ms", below(20)));
  }
  return figures;
}

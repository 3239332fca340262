// The window index alone, in a fresh process: feeds MemoryWindows a live-like stream, collects the
// garbage, then times each query kind. Prints one JSON line (see WindowsMemoryResult).
//   bun test/bench/windows-memory-child.ts <hours> <query rounds>
import { readFileSync } from "node:fs";
import { MemoryWindows } from "../../src/windows/memory-windows.ts";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../src/windows/types.ts";
import { percentile } from "./common.ts";
import { liveStream, SERVER_URLS } from "./windows-stream.ts";

export interface WindowsMemoryResult {
  events: number;
  tooOld: number;
  kept: ReturnType<MemoryWindows["kept"]>;
  rssBaselineBytes: number;
  rssAtEndBytes: number;
  rssAfterBytes: number;
  heapBytes: number;
  ingestNsPerEvent: number;
  /** Per query kind: p50 and p99 in ms. */
  queries: Record<string, { p50: number; p99: number; runs: number }>;
}

const hours = Number(process.argv[2] ?? 24);
const rounds = Number(process.argv[3] ?? 100);
const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))![1]) * 1024;

Bun.gc(true);
const rssBaselineBytes = rss();
const windows = new MemoryWindows({ retentionMs: DAY_MS });
const start = Date.UTC(2026, 4, 27, 14, 7);
let ingestNs = 0;
const events = liveStream(hours, start, 20260528, (batch, size) => {
  const t = Bun.nanoseconds();
  for (let i = 0; i < size; i++) windows.add(batch[i]!);
  ingestNs += Bun.nanoseconds() - t;
});
Bun.gc(true);
const rssAtEnd = rss();
// Freed memory goes back to the system a little after a collection: keep the lowest RSS over 3 s.
let rssAfterBytes = rssAtEnd;
for (let i = 0; i < 12; i++) {
  await Bun.sleep(250);
  rssAfterBytes = Math.min(rssAfterBytes, rss());
}
const heapBytes = (await import("bun:jsc")).heapSize();

const newest = windows.newestEventMs()!;
const endOfMinute = Math.floor(newest / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
const endOfHour = Math.floor(newest / HOUR_MS) * HOUR_MS + HOUR_MS;
const span = Math.min(DAY_MS, Math.floor(hours) * HOUR_MS);
const day = { from: endOfHour - span, to: endOfHour };
// Series narrowed to a wiki take turns over the biggest one and a few smaller ones.
const wikis = [0, 1, 5, 40, 300].map((i) => SERVER_URLS[i]!);

const h = `${span / HOUR_MS}h`;
// Top takes turns over all events, bot events only and human events only.
const bots = [undefined, true, false];
const kinds: Record<string, (round: number) => Promise<unknown>> = {
  "window 1h": () => windows.rangeStats(endOfMinute - HOUR_MS, endOfMinute),
  [`window ${h}`]: () => windows.rangeStats(endOfMinute - span, endOfMinute),
  [`top user ${h}`]: (r) => windows.top("user", day.from, day.to, 10, bots[r % 3]),
  [`top page ${h}`]: (r) => windows.top("page", day.from, day.to, 10, bots[r % 3]),
  [`top server_url ${h}`]: (r) => windows.top("server_url", day.from, day.to, 10, bots[r % 3]),
  [`series ${h} step 60`]: () => windows.series(day.from, day.to, 60_000),
  [`series ${h} step 60 server_url`]: (r) => windows.series(day.from, day.to, 60_000, wikis[r % wikis.length]),
  [`series ${h} step 3600`]: () => windows.series(day.from, day.to, 3_600_000),
  [`series ${h} step 3600 server_url`]: (r) => windows.series(day.from, day.to, 3_600_000, wikis[r % wikis.length]),
};

const queries: WindowsMemoryResult["queries"] = {};
for (const [name, run] of Object.entries(kinds)) {
  await run(0); // compile before timing
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    await run(r);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  queries[name] = { p50: percentile(times, 50), p99: percentile(times, 99), runs: rounds };
}

const result: WindowsMemoryResult = {
  events,
  tooOld: windows.tooOld,
  kept: windows.kept(),
  rssBaselineBytes,
  rssAtEndBytes: rssAtEnd,
  rssAfterBytes,
  heapBytes,
  ingestNsPerEvent: ingestNs / events,
  queries,
};
console.log(JSON.stringify(result));

// Start-up of the compiled binary: `bun run build`, then spawn dist/wikitally K times and time
// spawn → first /status 200; RSS one second later, idle (the stream is connected but sends nothing).
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../helpers/free-port.ts";
import { ROOT, atMost, fig, median, round, rssBytes, MB, type Context, type Figure } from "./common.ts";
import { serviceEnv, stopChild } from "./child.ts";
import { startBlaster } from "./sse-blaster.ts";

const BENCH = "startup";
const BINARY = join(ROOT, "dist", "wikitally");

async function firstStatus(base: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if ((await fetch(`${base}/status`)).status === 200) return performance.now();
    } catch {
      // Not listening yet.
    }
    await Bun.sleep(2);
  }
  throw new Error(`no /status 200 from ${base} within ${timeoutMs} ms`);
}

export async function startup(ctx: Context): Promise<Figure[]> {
  const t = performance.now();
  const build = Bun.spawnSync([process.execPath, "run", "build"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0 || !existsSync(BINARY)) throw new Error(`bun run build failed:\n${build.stderr.toString()}`);
  const buildSeconds = (performance.now() - t) / 1000;

  // A stream that accepts and never sends: the service is idle but fully started.
  const blaster = startBlaster(async () => {});
  const times: number[] = [];
  const rss: number[] = [];
  try {
    for (let i = 0; i < ctx.sizes.startupRuns; i++) {
      const port = freePort();
      const env = serviceEnv(port, { STREAM_URL: blaster.url, STORAGE: "in-memory" });
      const spawned = performance.now();
      const child = Bun.spawn([BINARY], { cwd: ROOT, env, stdout: "ignore", stderr: "ignore" });
      try {
        times.push((await firstStatus(`http://127.0.0.1:${port}`, 10_000)) - spawned);
        await Bun.sleep(1000);
        rss.push(rssBytes(child.pid));
      } finally {
        await stopChild(child);
      }
    }
  } finally {
    blaster.stop();
  }
  ctx.log(`start-up: median ${round(median(times), 1)} ms`);
  return [
    fig(BENCH, "build (bun run build)", round(buildSeconds, 1), "s", undefined, `dist/wikitally ${round(statSync(BINARY).size / MB)} MB`),
    fig(
      BENCH,
      "spawn → /status 200, median",
      round(median(times), 1),
      "ms",
      atMost(150),
      `${times.length} runs: ${times.map((x) => round(x)).join(", ")} ms`,
    ),
    fig(BENCH, "spawn → /status 200, min", round(Math.min(...times), 1), "ms"),
    fig(BENCH, "spawn → /status 200, max", round(Math.max(...times), 1), "ms"),
    fig(BENCH, "RSS idle (1 s after /status), median", round(median(rss) / MB, 1), "MB"),
  ];
}

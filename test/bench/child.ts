// The service under test as a child process: `bun src/main.ts` (or the compiled binary) on a loopback port.
import type { Subprocess } from "bun";
import { join } from "node:path";
import type { Stats } from "../../src/stats/types.ts";
import { freePort } from "../helpers/free-port.ts";
import { getStats, login as loginAs } from "../helpers/service.ts";
import { ROOT, emptyConfigFile, until } from "./common.ts";

const BENCH_ADMIN = { username: "admin", password: "bench horse battery staple" };
const BENCH_SECRET = "bench-secret-0123456789abcdef0123456789";

export interface ServiceChild {
  pid: number;
  base: string;
  token: string;
  /** The last lines the child wrote, for error messages. */
  logs: string[];
  stats(): Promise<Stats>;
  /** SIGTERM, then SIGKILL if it has not exited within 15 s. */
  stop(): Promise<void>;
}

interface ServiceOptions {
  env: Record<string, string>;
  /** Run the compiled binary instead of `bun src/main.ts`. */
  binary?: string;
  /** Write a CPU profile (bun --cpu-prof) into this folder when the child exits. */
  cpuProfDir?: string | undefined;
  /** Also wait for /ready (the store connected), not only /status. */
  waitReady?: boolean;
  /** A script bun loads before src/main.ts (bun --preload), to change one thing for a measurement. */
  preload?: string | undefined;
}

export function serviceEnv(port: number, env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    CONFIG_FILE: emptyConfigFile(),
    PORT: String(port),
    HOST: "127.0.0.1",
    JWT_SECRET: BENCH_SECRET,
    ADMIN_USERNAME: BENCH_ADMIN.username,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    LOG_LEVEL: "warn",
    ...env,
  };
}

/** Keeps the child's output flowing (a full pipe would block it) and remembers the last lines. */
function collect(stream: ReadableStream<Uint8Array>, lines: string[]): void {
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of stream) {
      buffer += decoder.decode(chunk, { stream: true });
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const line of parts) if (line.trim() !== "") lines.push(line);
      if (lines.length > 200) lines.splice(0, lines.length - 100);
    }
  })().catch(() => {});
}

function login(base: string): Promise<string> {
  return loginAs(base, BENCH_ADMIN);
}

export async function stopChild(child: Subprocess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await child.exited;
  clearTimeout(timer);
}

export async function spawnService(options: ServiceOptions): Promise<ServiceChild> {
  const port = freePort();
  const profile = options.cpuProfDir !== undefined ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const preload = options.preload !== undefined ? ["--preload", options.preload] : [];
  const cmd = options.binary !== undefined ? [options.binary] : [process.execPath, ...profile, ...preload, join(ROOT, "src", "main.ts")];
  const child = Bun.spawn(cmd, { cwd: ROOT, env: serviceEnv(port, options.env), stdout: "pipe", stderr: "pipe" });
  const logs: string[] = [];
  collect(child.stdout, logs);
  collect(child.stderr, logs);
  const base = `http://127.0.0.1:${port}`;
  try {
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
        return (await fetch(`${base}/status`)).status;
      },
      (status) => status === 200 || child.exitCode !== null,
      { timeoutMs: 30_000, intervalMs: 10, what: "/status" },
    );
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    if (options.waitReady) {
      await until(
        async () => (await fetch(`${base}/ready`)).status,
        (s) => s === 200,
        { timeoutMs: 60_000, intervalMs: 50, what: "/ready" },
      );
    }
    const token = await login(base);
    return {
      pid: child.pid,
      base,
      token,
      logs,
      stats: () => getStats(base, token),
      stop: () => stopChild(child),
    };
  } catch (error) {
    await stopChild(child);
    throw new Error(`service child failed to start: ${(error as Error).message}\n${logs.slice(-10).join("\n")}`);
  }
}

/** Events the service has counted so far: /health's live counter (/stats may be up to 100 ms stale). */
export async function counted(base: string): Promise<number> {
  const health = (await (await fetch(`${base}/health`)).json()) as { ingest?: { counted?: number } };
  return Number(health.ingest?.counted ?? 0);
}

interface AllCounted {
  /** performance.now() when /health first counted all events, and when /stats first showed them. */
  countedAt: number;
  statsAt: number;
  stats: Stats;
}

/**
 * Polls /health and /stats every `intervalMs` until /stats shows `n` messages. `each` sees every
 * /stats answer (to sample RSS, say) and may end the wait later by returning false.
 */
export async function waitAllCounted(
  service: ServiceChild,
  n: number,
  options: { timeoutMs: number; intervalMs: number; each?: (stats: Stats) => Promise<boolean> | boolean },
): Promise<AllCounted> {
  const deadline = performance.now() + options.timeoutMs;
  let countedAt: number | undefined;
  let statsAt: number | undefined;
  let last: Stats | undefined;
  for (;;) {
    if (countedAt === undefined && (await counted(service.base)) >= n) countedAt = performance.now();
    last = await service.stats();
    if (statsAt === undefined && last.messages >= n) statsAt = performance.now();
    const more = options.each ? await options.each(last) : true;
    if (countedAt !== undefined && statsAt !== undefined && more) return { countedAt, statsAt, stats: last };
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${n} events; /stats shows ${last.messages}\n${service.logs.slice(-5).join("\n")}`,
      );
    }
    await Bun.sleep(options.intervalMs);
  }
}

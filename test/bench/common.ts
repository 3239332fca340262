// Shared pieces of the benchmarks: figures, sizes, polling, /proc readers and small statistics.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
export const CACHE_DIR = join(ROOT, ".cache", "bench");

/** A figure to beat: value >= target (throughput, ratios) or value <= target (latency, memory). */
export interface Target {
  op: ">=" | "<=" | "<";
  value: number;
}

export interface Figure {
  bench: string;
  figure: string;
  value: number;
  unit: string;
  target?: Target;
  note?: string;
}

export interface Sizes {
  /** Events of the in-memory ingest run. */
  ingestEvents: number;
  /** Events of the Cassandra ingest run. */
  cassandraEvents: number;
  /** Events written by the naive per-event store. */
  naiveEvents: number;
  /** Distinct users fed to the memory benchmark. */
  memoryUsers: number;
  /** Seconds of each load-generator run. */
  loadSeconds: number;
  /** Turns each server takes under load (stats-load); figures are medians over them. */
  loadRounds: number;
  /** Compiled-binary start-ups timed. */
  startupRuns: number;
}

export const FULL: Sizes = {
  ingestEvents: 200_000,
  cassandraEvents: 200_000,
  naiveEvents: 20_000,
  memoryUsers: 1_000_000,
  loadSeconds: 3,
  loadRounds: 3,
  startupRuns: 10,
};
export const QUICK: Sizes = {
  ingestEvents: 5_000,
  cassandraEvents: 5_000,
  naiveEvents: 1_000,
  memoryUsers: 20_000,
  loadSeconds: 2,
  loadRounds: 1,
  startupRuns: 3,
};

export interface Context {
  quick: boolean;
  /** Run the ingest children under `bun --cpu-prof` and summarise their hottest functions. */
  profile: boolean;
  sizes: Sizes;
  log(message: string): void;
  /** Keyspaces created by this run, dropped at the end whatever happens. */
  keyspaces: Set<string>;
  /** CPU-profile summaries by benchmark, for the JSON report. */
  profiles: Record<string, unknown>;
}

export function fig(bench: string, figure: string, value: number, unit: string, target?: Target, note?: string): Figure {
  return { bench, figure, value, unit, ...(target ? { target } : {}), ...(note !== undefined ? { note } : {}) };
}

export const atLeast = (value: number): Target => ({ op: ">=", value });
export const atMost = (value: number): Target => ({ op: "<=", value });
export const below = (value: number): Target => ({ op: "<", value });

export function met(f: Figure): boolean | undefined {
  if (!f.target) return undefined;
  switch (f.target.op) {
    case ">=":
      return f.value >= f.target.value;
    case "<=":
      return f.value <= f.target.value;
    case "<":
      return f.value < f.target.value;
  }
}

/** Polls `probe` every `intervalMs` until `done` holds; returns the value and when it was seen. */
export async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs: number; what: string },
): Promise<{ value: T; at: number }> {
  const deadline = performance.now() + options.timeoutMs;
  let last: T | undefined;
  let error: unknown;
  while (performance.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return { value: last, at: performance.now() };
    } catch (e) {
      error = e;
    }
    await Bun.sleep(options.intervalMs);
  }
  const shown = JSON.stringify(last, (_k, v: unknown) =>
    typeof v === "object" && v !== null && Object.keys(v).length > 20 ? `{${Object.keys(v).length} keys}` : v,
  );
  throw new Error(
    `timed out after ${options.timeoutMs} ms waiting for ${options.what}; last value: ${shown}${error ? `; last error: ${error}` : ""}`,
  );
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** The item with the median of `key` (of an even count, the upper one, as median() takes). */
export function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[items.length >> 1]!;
}

/** a[i] / b[i] for each pair of runs made back to back: a ratio within a pair, where the machine's slow spells cancel. */
export function pairRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x / b[i]!);
}

/** Values for a figure's note: "1, 2, 3". */
export function listed(values: readonly number[], digits = 0): string {
  return values.map((v) => round(v, digits)).join(", ");
}

const CLK_TCK = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;

/**
 * The name, the user + system CPU time in µs, and the start time (in clock ticks since boot: with the
 * pid, it names one process) of a /proc …/stat line (a process's or a thread's).
 */
function parseStat(stat: string): { name: string; micros: number; startTicks: number } {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After "pid (comm) ", field 3 (state) is index 0, so utime (14), stime (15) and starttime (22) are 11, 12 and 19.
  return {
    name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
    micros: ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK,
    startTicks: Number(fields[19]),
  };
}

/** "pid@starttime": one process, even once its pid is reused. */
export function processIdentity(pid: number): string {
  return `${pid}@${parseStat(readFileSync(`/proc/${pid}/stat`, "utf8")).startTicks}`;
}

/** User + system CPU time of a process and all its threads, in microseconds (resolution 1/CLK_TCK s). */
export function cpuMicros(pid: number): number {
  return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8")).micros;
}

/** Resident set size of a process, in bytes. */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

export function ensureCacheDir(): string {
  mkdirSync(CACHE_DIR, { recursive: true });
  return CACHE_DIR;
}

/** An empty config file, so the children ignore the repository's config.json and take only our environment. */
export function emptyConfigFile(): string {
  const file = join(ensureCacheDir(), "empty-config.json");
  writeFileSync(file, "{}\n");
  return file;
}

export const MB = 1024 * 1024;
export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh folder for one child's CPU profile. */
export function profileDir(bench: string): string {
  const dir = join(ensureCacheDir(), "profiles", `${bench}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Starts measuring a process's CPU time; the returned function gives the µs used since. Undefined without a pid. */
export function cpuMeter(pid: number | undefined): (() => number) | undefined {
  if (pid === undefined) return undefined;
  const start = cpuMicros(pid);
  return () => cpuMicros(pid) - start;
}

/** Time on a core of each of a process's threads in ns (first field of /proc/<pid>/task/<tid>/schedstat), and their names, by thread id. */
function threadRunNanos(pid: number): Map<string, { name: string; nanos: number }> {
  const byTid = new Map<string, { name: string; nanos: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const nanos = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      byTid.set(tid, { name: readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim(), nanos });
    } catch {}
  }
  return byTid;
}

/**
 * Starts measuring a process's time on a core, to the ns (schedstat): cpuMeter's and threadMeter's
 * /proc …/stat count in clock ticks (10 ms), too coarse for a process using 1 % of a core. The
 * returned function gives the µs used since by all threads, and by thread name, busiest first
 * ("bun.exe 812, JITWorker 95"). A thread that ended meanwhile is left out.
 */
export function preciseCpuMeter(pid: number): () => { micros: number; byThread: string } {
  const start = threadRunNanos(pid);
  return () => {
    const byName = new Map<string, number>();
    let nanos = 0;
    for (const [tid, { name, nanos: now }] of threadRunNanos(pid)) {
      const used = now - (start.get(tid)?.nanos ?? 0);
      nanos += used;
      byName.set(name, (byName.get(name) ?? 0) + used);
    }
    const byThread = [...byName]
      .filter(([, n]) => n >= 1000)
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${round(n / 1000)}`)
      .join(", ");
    return { micros: nanos / 1000, byThread };
  };
}

/**
 * Starts measuring how long a process's main thread waited for a core (runnable, not running: the
 * second field of /proc/<pid>/task/<pid>/schedstat, in ns); the returned function gives the ms since.
 * What other processes on the same cores (a local Cassandra, the load tool) take from a server shows here.
 */
export function runQueueMeter(pid: number): () => number {
  const waited = () => Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ")[1]) / 1e6;
  const start = waited();
  return () => waited() - start;
}

/** Busy and total jiffies of all cores together, from /proc/stat's first line (idle and iowait count as idle). */
function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").slice(0, 200).split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

/**
 * Starts measuring how busy the whole machine is; the returned function gives the share of all cores'
 * time spent busy since (0..1). Near 1, a run is bound by the machine's CPU, whichever process uses it.
 */
export function machineMeter(): () => number {
  const start = machineJiffies();
  return () => {
    const end = machineJiffies();
    return (end.busy - start.busy) / Math.max(1, end.total - start.total);
  };
}

/** CPU time of each of a process's threads in µs, and their names, by thread id. */
function threadStats(pid: number): Map<string, { name: string; micros: number }> {
  const byTid = new Map<string, { name: string; micros: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      byTid.set(tid, parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")));
    } catch {}
  }
  return byTid;
}

/**
 * Starts measuring a process's CPU time by thread; the returned function describes the µs per `unit`
 * each thread used since, summed by name (Bun's: bun.exe, Worker, JITWorker, …) or by `group` of the
 * name, busiest first ("bun.exe 4.5, Worker 4.1, JITWorker 1.5"): which thread bounds a pipeline.
 * Each thread's time is taken by thread id, under the name it has at the end: Cassandra's shared
 * request threads rename themselves after the stage of their current task. A thread that ended
 * meanwhile is left out.
 */
export function threadMeter(pid: number, group: (name: string) => string = (name) => name): (units: number) => string {
  const start = threadStats(pid);
  return (units) => {
    const byName = new Map<string, number>();
    for (const [tid, { name, micros }] of threadStats(pid)) {
      const key = group(name);
      byName.set(key, (byName.get(key) ?? 0) + micros - (start.get(tid)?.micros ?? 0));
    }
    return [...byName]
      .map(([name, us]) => [name, us / units] as const)
      .filter(([, per]) => per >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([name, per]) => `${name} ${round(per, 2)}`)
      .join(", ");
  };
}

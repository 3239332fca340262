// `bun run bench`: runs the benchmarks, prints one table, writes .cache/bench/results-<time>.json and latest.json.
//
//   bun test/bench/run.ts [--quick] [--only=name1,name2] [--profile]
//
// --quick   a few thousand events per benchmark, for a smoke run (CI); figures are not meaningful
// --only    run only these benchmarks (names below)
// --profile run the ingest children under `bun --cpu-prof` and print their hottest functions
//           (profiling slows them down: use it to find hotspots, not for the figures)
import { cpus, release, totalmem } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FULL, QUICK, ROOT, ensureCacheDir, met, round, type Context, type Figure } from "./common.ts";
import { dropKeyspaces, probe } from "./cassandra-util.ts";
import { ingestCassandra } from "./ingest-cassandra.ts";
import { ingestMemory } from "./ingest-memory.ts";
import { ingestPaced } from "./ingest-paced.ts";
import { memory } from "./memory.ts";
import { naiveCassandra } from "./naive-cassandra.ts";
import { startup } from "./startup.ts";
import { statsLoad } from "./stats-load.ts";
import { steadyCpu } from "./steady-cpu.ts";
import { windowsMemory } from "./windows-memory.ts";

type Bench = (ctx: Context) => Promise<Figure[]>;

const BENCHES: Record<string, { run: Bench; cassandra?: boolean }> = {
  "ingest-memory": { run: ingestMemory },
  "ingest-cassandra": { run: ingestCassandra, cassandra: true },
  "ingest-paced": { run: ingestPaced },
  "steady-cpu": { run: steadyCpu },
  "naive-cassandra": { run: naiveCassandra, cassandra: true },
  "stats-load": { run: statsLoad },
  memory: { run: memory },
  startup: { run: startup },
  "windows-memory": { run: windowsMemory },
};

function parseArgs(argv: string[]) {
  let quick = false;
  let profile = false;
  let only: string[] | undefined;
  for (const arg of argv) {
    if (arg === "--quick") quick = true;
    else if (arg === "--profile") profile = true;
    else if (arg.startsWith("--only="))
      only = arg
        .slice(7)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    else if (arg === "--help" || arg === "-h") {
      console.log(`usage: bun test/bench/run.ts [--quick] [--only=${Object.keys(BENCHES).join(",")}] [--profile]`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  for (const name of only ?? [])
    if (!(name in BENCHES)) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(", ")}`);
  return { quick, profile, only: only ?? Object.keys(BENCHES) };
}

function machine(cassandraVersion: string | undefined) {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const git = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: ROOT }).stdout.toString().trim();
  return {
    nproc: cpus().length,
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    memory_gb: round(totalmem() / 2 ** 30, 1),
    kernel: release(),
    bun: Bun.version,
    cassandra: cassandraVersion ?? "not probed",
    wrk: Bun.which("wrk") ? Bun.spawnSync(["wrk", "--version"]).stdout.toString().split("\n")[0]!.trim() : "not installed",
    git_head: git,
  };
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

function table(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const ok = met(f);
    return [
      f.bench,
      f.figure,
      formatValue(f.value),
      f.unit,
      f.target ? `${f.target.op} ${formatValue(f.target.value)}` : "",
      ok === undefined ? "" : ok ? "yes" : "NO",
    ];
  });
  const head = ["benchmark", "figure", "value", "unit", "target", "met?"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" │ ");
  return [line(head), widths.map((w) => "─".repeat(w)).join("─┼─"), ...rows.map(line)].join("\n");
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const log = (message: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}`);
  const cassandra = options.only.some((name) => BENCHES[name]!.cassandra) ? await probe() : {};
  const facts = machine(cassandra.version ?? (cassandra.error !== undefined ? "unreachable" : undefined));
  log(`machine: ${JSON.stringify(facts)}`);
  const ctx: Context = {
    quick: options.quick,
    profile: options.profile,
    sizes: options.quick ? QUICK : FULL,
    log,
    keyspaces: new Set(),
    profiles: {},
  };
  const figures: Figure[] = [];
  const errors: { bench: string; error: string }[] = [];
  const skipped: { bench: string; reason: string }[] = [];
  try {
    for (const name of options.only) {
      const bench = BENCHES[name]!;
      if (bench.cassandra && cassandra.version === undefined) {
        const reason = `Cassandra is not reachable (${cassandra.error}); start it with \`bun run db:up\``;
        console.error(`\n!!! ${name} SKIPPED: ${reason}\n`);
        skipped.push({ bench: name, reason });
        if (process.env.WIKITALLY_REQUIRE_CASSANDRA === "1") errors.push({ bench: name, error: reason });
        continue;
      }
      log(`${name}: starting`);
      const t = performance.now();
      try {
        figures.push(...(await bench.run(ctx)));
        log(`${name}: done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      } catch (error) {
        const text = (error as Error).stack ?? String(error);
        console.error(`\n!!! ${name} FAILED after ${((performance.now() - t) / 1000).toFixed(1)} s:\n${text}\n`);
        errors.push({ bench: name, error: (error as Error).message });
      }
    }
  } finally {
    await dropKeyspaces(ctx.keyspaces).catch((error: Error) =>
      console.error(`could not drop ${[...ctx.keyspaces].join(", ")}: ${error.message}`),
    );
  }
  figures.push(...crossRatios(figures));

  const seconds = round((performance.now() - started) / 1000, 1);
  console.log(
    `\nwikitally benchmarks${options.quick ? " (--quick: smoke sizes, figures not meaningful)" : ""} — ${facts.nproc} × ${facts.cpu}, bun ${facts.bun}, Cassandra ${facts.cassandra}, ${seconds} s\n`,
  );
  console.log(table(figures));
  const ratios = figures.filter((f) => f.unit === "×" && f.target);
  if (ratios.length > 0) {
    console.log("\nratios:");
    for (const f of ratios)
      console.log(
        `  ${f.bench}: ${f.figure} = ${formatValue(f.value)} (target ${f.target!.op} ${f.target!.value}) ${met(f) ? "met" : "NOT met"}`,
      );
  }
  const notes = figures.filter((f) => f.note !== undefined);
  if (notes.length > 0) {
    console.log("\nnotes:");
    for (const f of notes) console.log(`  ${f.bench} / ${f.figure}: ${f.note}`);
  }
  for (const s of skipped) console.log(`\nSKIPPED ${s.bench}: ${s.reason}`);
  for (const e of errors) console.log(`\nFAILED ${e.bench}: ${e.error}`);

  const dir = ensureCacheDir();
  const report = {
    date: new Date().toISOString(),
    options: { quick: options.quick, only: options.only, profile: options.profile },
    machine: facts,
    seconds,
    figures: figures.map((f) => ({ ...f, met: met(f) })),
    errors,
    skipped,
    profiles: ctx.profiles,
  };
  const text = JSON.stringify(report, null, 2);
  const file = join(dir, `results-${report.date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, text);
  writeFileSync(join(dir, "latest.json"), text);
  console.log(`\nwritten: ${file} (and latest.json)`);
  return errors.length > 0 ? 1 : 0;
}

/** Ratios between benchmarks of one run: wikitally's durable ingest against a naive store's. */
function crossRatios(figures: Figure[]): Figure[] {
  const find = (bench: string, figure: string) => figures.find((f) => f.bench === bench && f.figure === figure)?.value;
  const wikitally = find("ingest-cassandra", "durable ingest rate (first byte → tables exact)");
  const naive = find("naive-cassandra", "naive store rate");
  const serial = find("naive-cassandra", "naive store rate, one event at a time");
  if (wikitally === undefined || naive === undefined || serial === undefined) return [];
  return [
    {
      bench: "ingest-cassandra",
      figure: "ratio wikitally / naive, one event at a time (events/s)",
      value: round(wikitally / serial, 1),
      unit: "×",
      target: { op: ">=", value: 20 },
    },
    {
      bench: "ingest-cassandra",
      figure: "ratio wikitally / naive, 64 in flight (events/s)",
      value: round(wikitally / naive, 1),
      unit: "×",
      target: { op: ">=", value: 20 },
    },
  ];
}

process.exit(await main());

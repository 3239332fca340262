// Summarises a `bun --cpu-prof` profile (Chrome .cpuprofile): self time by function and by file.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "./common.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface Hotspot {
  name: string;
  selfMs: number;
  /** Share of the sampled non-idle time, in %. */
  pct: number;
}

interface ProfileSummary {
  file: string;
  /** Samples × the median sampling interval: JS-thread busy time, approximately. */
  sampledMs: number;
  functions: Hotspot[];
  files: Hotspot[];
  /** Self time by stack (the function and three callers), which names what a native frame served. */
  stacks: Hotspot[];
}

const IDLE = new Set(["(idle)", "(root)"]);

function where(url: string): string {
  if (url === "") return "native";
  const path = url.replace(/^file:\/\//, "");
  const rel = relative(ROOT, path);
  return rel.startsWith("node_modules/") ? rel.split("/").slice(0, 3).join("/") : rel.startsWith("..") ? path : rel;
}

function summarise(file: string, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frameName = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    return `${functionName || "(anonymous)"}${url ? ` ${where(url)}:${lineNumber + 1}` : ""}`;
  };
  const stackOf = (id: number) => {
    const names: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined && names.length < 4; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n) names.push(frameName(n));
    }
    return names.join(" < ");
  };
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  const stacks = new Map<string, number>();
  // Bun samples only while JS runs, so a delta may span idle time: count samples, each worth the median interval.
  const deltas = [...profile.timeDeltas].sort((a, b) => a - b);
  const us = deltas[deltas.length >> 1] ?? 1000;
  let total = 0;
  profile.samples.forEach((id) => {
    const node = byId.get(id);
    if (!node || IDLE.has(node.callFrame.functionName)) return;
    const file = where(node.callFrame.url);
    const name = frameName(node);
    fns.set(name, (fns.get(name) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
    const stack = stackOf(id);
    stacks.set(stack, (stacks.get(stack) ?? 0) + us);
    total += us;
  });
  const rank = (m: Map<string, number>): Hotspot[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: Math.round(us / 1000), pct: Number(((100 * us) / total).toFixed(1)) }));
  return { file, sampledMs: Math.round(total / 1000), functions: rank(fns), files: rank(files), stacks: rank(stacks).slice(0, 8) };
}

/** The newest .cpuprofile in a folder, summarised; undefined when the child wrote none. */
export function summariseDir(dir: string, top = 12): ProfileSummary | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort();
  const last = files.at(-1);
  return last === undefined ? undefined : summarise(join(dir, last), top);
}

export function formatSummary(title: string, s: ProfileSummary): string {
  const lines = [`CPU profile: ${title} (${s.sampledMs} ms of JS-thread samples; ${relative(ROOT, s.file)})`, "  self time by function:"];
  for (const h of s.functions) lines.push(`    ${String(h.pct).padStart(5)}%  ${String(h.selfMs).padStart(6)} ms  ${h.name}`);
  lines.push("  self time by file:");
  for (const h of s.files) lines.push(`    ${String(h.pct).padStart(5)}%  ${String(h.selfMs).padStart(6)} ms  ${h.name}`);
  lines.push("  hottest stacks (self < callers):");
  for (const h of s.stacks) lines.push(`    ${String(h.pct).padStart(5)}%  ${String(h.selfMs).padStart(6)} ms  ${h.name}`);
  return lines.join("\n");
}

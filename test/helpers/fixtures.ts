// The recorded Wikimedia captures in test/fixtures/wikimedia and the figures their PROVENANCE.md gives for them.
import { expect } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Stats } from "../../src/stats/types.ts";
import { waitFor } from "./service.ts";

const FIXTURES_DIR = process.env.WIKITALLY_FIXTURES ?? resolve(import.meta.dir, "../fixtures/wikimedia");

/** The capture files, in the order PROVENANCE.md feeds them ("one after another"). */
export function fixtureFiles(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".sse"))
    .sort()
    .map((f) => join(FIXTURES_DIR, f));
}

/**
 * The `data` payloads of every capture, read with a plain line split rather than the project's own
 * parser, so the end-to-end tests do not trust the code they test. PROVENANCE.md guarantees one
 * `data:` line per event and no comments.
 */
export function fixturePayloads(): string[] {
  const payloads: string[] = [];
  for (const file of fixtureFiles()) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line.startsWith("data: ")) payloads.push(line.slice(6));
    }
  }
  return payloads;
}

interface ExpectedFigures {
  messages: number;
  distinct_users: number;
  bots: number;
  non_bots: number;
  server_urls: number;
  top: Record<string, number>;
}

/** The messages column of PROVENANCE.md's per-file table, by file name. */
export function expectedMessagesPerFile(): Record<string, number> {
  const text = readFileSync(join(FIXTURES_DIR, "PROVENANCE.md"), "utf8");
  const figures = text.slice(text.indexOf("## Expected figures"));
  const perFile: Record<string, number> = {};
  for (const [, name, messages] of figures.matchAll(/^\| `([^`]+\.sse)` \| (\d+) \|/gm)) perFile[name!] = Number(messages);
  if (Object.keys(perFile).length === 0) throw new Error("PROVENANCE.md has no per-file figures");
  return perFile;
}

/** Reads the "all four" row and the largest by_server_url counts from PROVENANCE.md. */
export function expectedFigures(): ExpectedFigures {
  const text = readFileSync(join(FIXTURES_DIR, "PROVENANCE.md"), "utf8");
  const row = /\|\s*\*\*all four\*\*\s*\|([^\n]+)/.exec(text);
  if (!row) throw new Error("PROVENANCE.md has no 'all four' row");
  const cells = row[1]!
    .split("|")
    .map((c) => Number(c.replaceAll("*", "").trim()))
    .filter((n) => !Number.isNaN(n));
  const [messages, distinct_users, bots, non_bots, server_urls] = cells as [number, number, number, number, number];
  const topLine = /Largest `by_server_url` counts over all four: ([^\n]+)/.exec(text);
  if (!topLine) throw new Error("PROVENANCE.md has no largest by_server_url line");
  const top: Record<string, number> = {};
  for (const [, url, count] of topLine[1]!.matchAll(/`([^`]+)` (\d+)/g)) top[url!] = Number(count);
  return { messages, distinct_users, bots, non_bots, server_urls, top };
}

/** Checks a /stats answer against every figure PROVENANCE.md gives for the four captures together. */
export function expectFixtureStats(stats: Stats): void {
  const want = expectedFigures();
  expect({
    messages: stats.messages,
    distinct_users: stats.distinct_users,
    bots: stats.bots,
    non_bots: stats.non_bots,
    server_urls: Object.keys(stats.by_server_url).length,
  }).toEqual({
    messages: want.messages,
    distinct_users: want.distinct_users,
    bots: want.bots,
    non_bots: want.non_bots,
    server_urls: want.server_urls,
  });
  for (const [url, count] of Object.entries(want.top)) expect(stats.by_server_url[url]).toBe(count);
  const perServer = Object.values(stats.by_server_url).reduce((a, b) => a + b, 0);
  expect(perServer).toBe(want.messages);
}

/**
 * Waits until a store's answers reach the PROVENANCE totals, then checks every figure. For stores
 * that converge (Cassandra confirms new users one flush later; /stats may be 100 ms stale), so the
 * check waits for the documented lag and stays exact; it fails if the figures never arrive.
 */
export async function settledFixtureStats(probe: () => Promise<Stats>, timeoutMs = 30_000): Promise<Stats> {
  const want = expectedFigures();
  const stats = await waitFor(
    probe,
    (s) => s.messages === want.messages && s.distinct_users === want.distinct_users,
    timeoutMs,
    "the PROVENANCE totals",
  );
  expectFixtureStats(stats);
  return stats;
}

/** All captures in one file, fed one after another as PROVENANCE.md counts them; for replay tests. Returns its path. */
export function concatenatedCapture(dir: string, lineEnd: "\n" | "\r\n" = "\n"): string {
  const text = fixtureFiles()
    .map((file) => readFileSync(file, "utf8"))
    .join("");
  const path = join(dir, `all-captures${lineEnd === "\n" ? "" : "-crlf"}.sse`);
  writeFileSync(path, lineEnd === "\n" ? text : text.replaceAll("\n", lineEnd));
  return path;
}

/**
 * The captured events with only `meta.dt` rewritten, `stepMs` apart, so a replay at the recorded pace
 * takes seconds rather than years. user, bot, server_url and meta.domain are untouched, so
 * PROVENANCE.md's figures still hold. Returns its path.
 */
export function pacedCapture(dir: string, stepMs: number): string {
  const start = Date.parse("2025-05-03T00:00:00Z");
  const frames = fixturePayloads().map((data, i) => {
    const event = JSON.parse(data) as { meta: { dt: string } };
    event.meta.dt = new Date(start + i * stepMs).toISOString();
    return `event: message\ndata: ${JSON.stringify(event)}\n\n`;
  });
  const path = join(dir, `paced-${stepMs}ms.sse`);
  writeFileSync(path, frames.join(""));
  return path;
}

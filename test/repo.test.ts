// A clone of the repository alone must build and test: every package it imports is declared, and
// no tracked file reaches for a path outside the repository.
import { describe, expect, test } from "bun:test";
import { builtinModules } from "node:module";
import { resolve } from "node:path";
import { readdirSync, readFileSync } from "node:fs";

const ROOT = resolve(import.meta.dir, "..");
const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);

function tracked(...patterns: string[]): string[] {
  const git = Bun.spawnSync(["git", "ls-files", "-z", "--", ...patterns], { cwd: ROOT, stdout: "pipe" });
  if (git.exitCode !== 0) throw new Error("git ls-files failed");
  return git.stdout.toString().split("\0").filter(Boolean);
}

/** The package a bare import specifier names ("@scope/name/sub" → "@scope/name"), or undefined for a path or builtin. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:") || specifier.startsWith("bun"))
    return undefined;
  const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

describe("the repository", () => {
  test("declares in package.json every package its code imports", () => {
    const undeclared: string[] = [];
    for (const file of tracked("*.ts")) {
      const source = readFileSync(resolve(ROOT, file), "utf8");
      for (const match of source.matchAll(
        /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"|import\("([^"]+)"\)|\n\s*import\s+"([^"]+)"/g,
      )) {
        const name = packageOf(match[1] ?? match[2] ?? match[3]!);
        if (name !== undefined && !declared.has(name)) undeclared.push(`${file}: ${name}`);
      }
    }
    expect(undeclared).toEqual([]);
  });

  test("refers to no path outside itself", () => {
    const outside: string[] = [];
    for (const file of tracked(".", ":!*.sse", ":!bun.lock", ":!*.png")) {
      const text = readFileSync(resolve(ROOT, file), "utf8");
      text.split("\n").forEach((line, i) => {
        if (/\.\.\/(\.\.\/)*shared\b/.test(line)) outside.push(`${file}:${i + 1}`);
      });
    }
    expect(outside).toEqual([]);
  });

  test("carries the recorded captures and their provenance", () => {
    // The default fixtures folder, whatever WIKITALLY_FIXTURES overrides it with.
    const dir = resolve(ROOT, "test/fixtures/wikimedia");
    expect(readdirSync(dir).filter((f) => f.endsWith(".sse")).length).toBeGreaterThan(0);
    expect(readFileSync(resolve(dir, "PROVENANCE.md"), "utf8")).toContain("License");
  });
});

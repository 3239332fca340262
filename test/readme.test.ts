// README.md promises commands and a config reference; these tests keep it true.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { configTable, REFERENCE, TABLE_END, TABLE_START } from "../src/config/docs.ts";

const ROOT = resolve(import.meta.dir, "..");
const readme = readFileSync(resolve(ROOT, "README.md"), "utf8");
const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as {
  packageManager: string;
  scripts: Record<string, string>;
};
const bunVersion = pkg.packageManager.replace(/^bun@/, "");

describe("README.md", () => {
  test("links to the configuration reference, src/config/README.md, which holds the table generated from the schema (run `bun src/config/docs.ts --write`)", () => {
    expect(readme).toContain("](src/config/README.md)");
    const reference = readFileSync(REFERENCE, "utf8");
    const start = reference.indexOf(TABLE_START);
    const end = reference.indexOf(TABLE_END);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    expect(reference.slice(start + TABLE_START.length, end).trim()).toBe(configTable());
  });

  test("opens with one command that runs the service and one that runs the tests, on the pinned Bun", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const commands = firstBlock.split("\n").filter((line) => line.trim() !== "").map((line) => line.split("#")[0]!.trim());
    expect(commands).toEqual([`npx --yes bun@${bunVersion} run start`, `npx --yes bun@${bunVersion} run test`]);
    expect(pkg.scripts.start).toBeDefined();
    expect(pkg.scripts.test).toBeDefined();
  });

  test("its test command is what CI runs", () => {
    const ci = readFileSync(resolve(ROOT, ".ci/run"), "utf8");
    expect(ci).toContain('npx --yes "bun@${BUN_VERSION}" run test');
    expect(ci).toContain("packageManager");
  });

  test("names the Bun version package.json pins", () => {
    expect(bunVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readme).toContain(`Bun ${bunVersion}`);
  });
});

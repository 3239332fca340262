// README.md promises commands, a length and links; the configuration reference beside the schema
// promises to be the schema's. These tests keep both true.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { configTable, REFERENCE, TABLE_END, TABLE_START } from "../src/config/docs.ts";

const ROOT = resolve(import.meta.dir, "..");
const readme = readFileSync(resolve(ROOT, "README.md"), "utf8");
const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as {
  packageManager: string;
  scripts: Record<string, string>;
};
const bunVersion = pkg.packageManager.replace(/^bun@/, "");

/** Every Markdown file of the work tree that git tracks or would track (new documents included). */
function markdownFiles(): string[] {
  const git = Bun.spawnSync(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.md"], {
    cwd: ROOT,
    stdout: "pipe",
  });
  if (git.exitCode !== 0) throw new Error("git ls-files failed");
  return [...new Set(git.stdout.toString().split("\0").filter(Boolean))].filter((file) => existsSync(resolve(ROOT, file)));
}

/** Markdown without its fenced blocks and code spans, where brackets and hashes are not links or headings. */
const prose = (markdown: string) => markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");

/** The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const m of markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "").matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    result.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return result;
}

/** The targets of a document's inline links and images. */
const linkTargets = (markdown: string) =>
  [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);

/** Links of one document (path relative to ROOT) that do not resolve, as "file: target (why)". */
function brokenLinks(file: string, markdown: string): string[] {
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: and other absolute URLs
    const [path, fragment] = target.split("#", 2) as [string, string | undefined];
    const resolved = path === "" ? resolve(ROOT, file) : resolve(ROOT, dirname(file), decodeURI(path));
    if (!resolved.startsWith(ROOT) || !existsSync(resolved)) {
      broken.push(`${file}: ${target} (no such file)`);
      continue;
    }
    if (
      fragment !== undefined
      && resolved.endsWith(".md")
      && statSync(resolved).isFile()
      && !anchors(readFileSync(resolved, "utf8")).has(fragment)
    ) {
      broken.push(`${file}: ${target} (no such heading)`);
    }
  }
  return broken;
}

describe("README.md", () => {
  test("opens with one command that runs the service and one that runs the tests, on the pinned Bun", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const commands = firstBlock
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => line.split("#")[0]!.trim());
    expect(commands).toEqual([`npx --yes bun@${bunVersion} run start`, `npx --yes bun@${bunVersion} run test`]);
    expect(pkg.scripts.start).toBeDefined();
    expect(pkg.scripts.test).toBeDefined();
  });

  test("its test command is what CI runs", () => {
    const ci = readFileSync(resolve(ROOT, ".ci/run"), "utf8");
    expect(ci).toContain('npx --yes "bun@${BUN_VERSION}" run test');
    expect(ci).toContain("packageManager");
    expect(readme).toContain("bun run test");
  });

  test("names the Bun version package.json pins", () => {
    expect(bunVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readme).toContain(`Bun ${bunVersion}`);
  });

  test("is a user's guide of at most 3,000 words (as wc -w counts them)", () => {
    expect(readme.split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(3000);
  });

  test("tells no story of benchmark rounds: a figure carries its date and machine instead", () => {
    expect(readme.match(/this round|last round|earlier round/gi) ?? []).toEqual([]);
  });

  test("links to the generated configuration reference", () => {
    expect(linkTargets(readme)).toContain("src/config/README.md");
  });
});

describe("the configuration reference (src/config/README.md)", () => {
  test("holds the table generated from the schema (run `bun src/config/docs.ts --write`)", () => {
    const reference = readFileSync(REFERENCE, "utf8");
    const start = reference.indexOf(TABLE_START);
    const end = reference.indexOf(TABLE_END);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    expect(reference.slice(start + TABLE_START.length, end).trim()).toBe(configTable());
  });
});

describe("the Markdown documents", () => {
  test("finds links, skips code, and knows GitHub's heading anchors", () => {
    const sample =
      '# A title: `x`\n## Kept, and why\n## Kept, and why\nSee [a](db/README.md#a-title-x), ![b](c.png "t"), `[no](link)`.\n```\n[no](link)\n# not a heading\n```\n';
    expect(linkTargets(sample)).toEqual(["db/README.md#a-title-x", "c.png"]);
    expect([...anchors(sample)]).toEqual(["a-title-x", "kept-and-why", "kept-and-why-1"]);
    expect(brokenLinks("README.md", "[x](no/such/file.md) [y](db/README.md#no-such-heading) [z](https://example.org/)")).toEqual([
      "README.md: no/such/file.md (no such file)",
      "README.md: db/README.md#no-such-heading (no such heading)",
    ]);
  });

  test("every relative link points to a file, and every anchor to a heading, that exists", () => {
    const files = markdownFiles();
    expect(files).toContain("README.md");
    expect(files.flatMap((file) => brokenLinks(file, readFileSync(resolve(ROOT, file), "utf8")))).toEqual([]);
  });
});

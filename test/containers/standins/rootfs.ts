// Stand-in images are assembled as root file systems on the host (containers have no network here) and imported as one layer.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { run, seconds } from "../sh.ts";

export const ROOT = resolve(import.meta.dir, "../../..");
export const CACHE = join(ROOT, ".cache/containers");
export const STANDIN_LABEL = "org.wikitally.standin";
const DEBIAN_MIRROR = "http://deb.debian.org/debian";
const DEBIAN_RELEASE = "bookworm";
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** An empty scratch folder for one stand-in's root, under .cache/. */
export function scratch(name: string): string {
  const dir = join(CACHE, "work", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A short digest of a recipe's inputs: a cached root is reused only while they are unchanged. */
export function recipeDigest(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex").slice(0, 12);
}

/**
 * Returns the cached tarball `<slug>-<digest>.tar`, building it first if absent: `fill(dir)` fills an
 * empty root, which is then packed (numeric owners; /dev, /proc, /sys left to the engine).
 */
export async function cachedRoot(slug: string, digest: string, fill: (dir: string) => Promise<void>): Promise<string> {
  const tarball = join(CACHE, `${slug}-${digest}.tar`);
  if (existsSync(tarball)) return tarball;
  const started = performance.now();
  const dir = scratch(slug);
  await fill(dir);
  const partial = `${tarball}.partial`;
  await run(["tar", "-C", dir, "--numeric-owner", "--exclude=./dev/*", "--exclude=./proc/*", "--exclude=./sys/*", "-cf", partial, "."]);
  renameSync(partial, tarball);
  // Roots of earlier recipes for this image are dead weight now.
  for (const old of readdirSync(CACHE))
    if (old.startsWith(`${slug}-`) && old.endsWith(".tar") && join(CACHE, old) !== tarball) rmSync(join(CACHE, old));
  rmSync(dir, { recursive: true, force: true });
  console.log(`  built ${tarball.slice(ROOT.length + 1)} (${seconds(started)})`);
  return tarball;
}

/** debootstrap a minimal Debian bookworm with extra packages into dir (needs root and the Debian mirror). */
export async function debootstrap(dir: string, packages: readonly string[] = []): Promise<void> {
  const include = packages.length > 0 ? [`--include=${packages.join(",")}`] : [];
  await run(["debootstrap", "--variant=minbase", ...include, DEBIAN_RELEASE, dir, DEBIAN_MIRROR], { log: join(CACHE, "debootstrap.log") });
}

/** What debian:bookworm-slim leaves out (docs but copyrights, man pages), plus apt's downloaded lists and caches. */
export async function slim(dir: string): Promise<void> {
  await run(
    [
      "sh",
      "-c",
      [
        "find usr/share/doc -mindepth 1 ! -name copyright ! -type d -delete",
        "find usr/share/doc -mindepth 1 -type d -empty -delete",
        "rm -rf usr/share/man/* usr/share/info/* usr/share/groff/* usr/share/lintian/* var/lib/apt/lists/* var/cache/apt/* var/cache/debconf/*-old var/log/*.log",
      ].join(" && "),
    ],
    { cwd: dir },
  );
}

interface ImageConfig {
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  entrypoint?: string[];
  cmd?: string[];
  expose?: string[];
  volumes?: string[];
  labels?: Record<string, string>;
}

/** Imports a root tarball as `name`, labelled a stand-in, with the image config the real image has. */
export async function importImage(tarball: string, name: string, config: ImageConfig): Promise<void> {
  const changes = [
    `LABEL ${STANDIN_LABEL}=true`,
    ...Object.entries(config.labels ?? {}).map(([key, value]) => `LABEL ${key}=${JSON.stringify(value)}`),
    ...Object.entries({ PATH: DEFAULT_PATH, ...config.env }).map(([key, value]) => `ENV ${key}=${value}`),
    ...(config.user ? [`USER ${config.user}`] : []),
    ...(config.workdir ? [`WORKDIR ${config.workdir}`] : []),
    ...(config.entrypoint ? [`ENTRYPOINT ${JSON.stringify(config.entrypoint)}`] : []),
    ...(config.cmd ? [`CMD ${JSON.stringify(config.cmd)}`] : []),
    ...(config.expose ?? []).map((port) => `EXPOSE ${port}`),
    ...(config.volumes ?? []).map((volume) => `VOLUME ${volume}`),
  ];
  await run(["docker", "import", ...changes.flatMap((change) => ["--change", change]), tarball, name]);
}

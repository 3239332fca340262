// The compiled binary under test, built once per test run with the project's own build script.
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
export const BINARY = resolve(ROOT, "dist", "wikitally");

let built = false;

/** Runs `bun run build` (dist/wikitally), once per process; throws with the build's stderr. */
export function buildBinary(): void {
  if (built) return;
  const build = Bun.spawnSync([process.execPath, "run", "build"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`bun run build failed: ${build.stderr.toString()}`);
  built = true;
}

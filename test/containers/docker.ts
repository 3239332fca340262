// Docker and compose commands for the container test: one project, the repo's compose file plus the replay override.
import { join } from "node:path";
import { composeCommand } from "./engine.ts";
import { LEGACY_BUILDER } from "./images.ts";
import { attempt, run } from "./sh.ts";
import { ROOT } from "../helpers/binary.ts";

const PROJECT = "wikitally-container-test";
const OVERRIDE = join(ROOT, "test/containers/replay.override.yml");
/** As a user here builds: the legacy builder (see containers/images.ts). */
const BUILD_ENV = LEGACY_BUILDER;

export function docker(args: string[], env: Record<string, string> = {}): Promise<string> {
  return run(["docker", ...args], { cwd: ROOT, env: { ...BUILD_ENV, ...env }, timeoutMs: 900_000 });
}

export async function compose(env: Record<string, string>): Promise<(args: string[]) => Promise<string>> {
  const base = [...(await composeCommand()), "--project-name", PROJECT, "--file", join(ROOT, "docker-compose.yml"), "--file", OVERRIDE];
  return (args) => run([...base, ...args], { cwd: ROOT, env: { ...BUILD_ENV, ...env }, timeoutMs: 900_000 });
}

/** A field of `docker inspect` for one container (a Go template), or undefined if there is no such container. */
export async function inspect(container: string, template: string): Promise<string | undefined> {
  const { exitCode, stdout } = await attempt(["docker", "inspect", "--format", template, container]);
  return exitCode === 0 ? stdout.trim() : undefined;
}

/** Ids of everything the compose project still has, by kind. */
export async function leftovers(): Promise<Record<string, string[]>> {
  const label = `label=com.docker.compose.project=${PROJECT}`;
  const ids = async (args: string[]) => (await run(["docker", ...args, "--filter", label, "--quiet"])).split("\n").filter(Boolean);
  return {
    containers: await ids(["ps", "--all"]),
    volumes: await ids(["volume", "ls"]),
    networks: await ids(["network", "ls"]),
  };
}

// A Docker engine on the default socket: Debian's docker.io and docker-compose installed if missing, dockerd started if none answers.
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { spawn } from "node:child_process";
import { attempt, run, seconds, succeeds } from "./sh.ts";

/** dockerd writes its pid here; the log is ours. */
const DOCKERD_PID_FILE = "/var/run/docker.pid";
const DOCKERD_LOG = "/var/log/wikitally-dockerd.log";
/**
 * vfs: needs nothing from the kernel or the backing file system (overlay2 does), at the price of
 * copying every layer whole, so the stand-in images are kept small.
 * --iptables=false: no NAT or filter rules on the host; containers reach each other on their bridge
 * (with its DNS) and published ports go through docker-proxy, but containers have no way out.
 */
const DOCKERD_ARGS = ["--storage-driver=vfs", "--iptables=false"] as const;

const ENGINE_READY_MS = 60_000;

export const engineAnswers = () => succeeds(["docker", "info"], { timeoutMs: 20_000 });

/** The compose command: the v2 plugin (`docker compose`) if the CLI has it, else Debian's docker-compose 1.29. */
export async function composeCommand(): Promise<string[]> {
  if (await succeeds(["docker", "compose", "version"])) return ["docker", "compose"];
  if (await succeeds(["docker-compose", "version"])) return ["docker-compose"];
  throw new Error("neither `docker compose` nor `docker-compose` runs; run `bun run containers:prepare`");
}

function dockerdPid(): number | undefined {
  if (!existsSync(DOCKERD_PID_FILE)) return undefined;
  const pid = Number(readFileSync(DOCKERD_PID_FILE, "utf8").trim());
  try {
    // A zombie (killed, not yet reaped) still has its pid and name, but is no daemon.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return /^\d+ \(dockerd\) [^Z]/.test(stat) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Installs what is missing with apt-get (with Debian's recommends, as tested); returns what it did. */
async function installMissing(): Promise<string[]> {
  const missing: string[] = [];
  if (!(await succeeds(["sh", "-c", "command -v dockerd"]))) missing.push("docker.io");
  if (!(await succeeds(["sh", "-c", "command -v docker-compose || docker compose version"]))) missing.push("docker-compose");
  // debootstrap builds the stand-in images' Debian roots (only needed where the real images cannot be pulled).
  if (!(await succeeds(["sh", "-c", "command -v debootstrap"]))) missing.push("debootstrap");
  if (missing.length === 0) return [];
  if (!(await succeeds(["sh", "-c", "command -v apt-get"])))
    throw new Error(`${missing.join(" and ")} missing and there is no apt-get: install a Docker engine by hand`);
  const started = performance.now();
  console.log(`Installing ${missing.join(" ")} with apt-get…`);
  await run(["apt-get", "update", "-qq"]);
  await run(["apt-get", "install", "-y", "-q", ...missing], { env: { DEBIAN_FRONTEND: "noninteractive" } });
  return [
    `installed Debian's ${missing.join(" and ")} with apt-get (${seconds(started)}); \`apt-get purge ${missing.join(" ")}\` removes them`,
  ];
}

const COMPOSE_PLUGIN = "/usr/local/lib/docker/cli-plugins/docker-compose";
/** A docker CLI plugin (metadata on request, else the arguments after `compose`) that runs docker-compose. */
const COMPOSE_PLUGIN_SCRIPT = `#!/bin/sh
# Written by wikitally's containers:prepare: \`docker compose\` runs Debian's docker-compose (1.29).
if [ "$1" = docker-cli-plugin-metadata ]; then
  echo '{"SchemaVersion":"0.1.0","Vendor":"Debian docker-compose, via wikitally containers:prepare","Version":"1.29","ShortDescription":"Docker Compose (docker-compose 1.29)"}'
  exit 0
fi
shift
exec docker-compose "$@"
`;

/** Where the CLI has no compose plugin, makes `docker compose` (the README's command) run docker-compose. */
async function ensureComposeSubcommand(): Promise<string[]> {
  // Without root, leave the machine as it is: composeCommand() falls back to docker-compose.
  if (process.getuid?.() !== 0 || (await succeeds(["docker", "compose", "version"]))) return [];
  if (!(await succeeds(["docker-compose", "version"]))) throw new Error("docker-compose does not run");
  mkdirSync(dirname(COMPOSE_PLUGIN), { recursive: true });
  writeFileSync(COMPOSE_PLUGIN, COMPOSE_PLUGIN_SCRIPT, { mode: 0o755 });
  if (!(await succeeds(["docker", "compose", "version"])))
    throw new Error(`the docker CLI does not take ${COMPOSE_PLUGIN} as its compose plugin`);
  return [`wrote ${COMPOSE_PLUGIN}, a CLI plugin that makes \`docker compose\` run docker-compose 1.29; delete it to undo`];
}

/** Ensures `docker info` and `docker compose` answer; returns one line per change made to the machine. */
export async function ensureEngine(): Promise<string[]> {
  const actions = await installMissing();
  actions.push(...(await ensureComposeSubcommand()));
  if (await engineAnswers()) return actions;
  if (process.getuid?.() !== 0) throw new Error("no Docker engine answers, and starting one needs root");
  const running = dockerdPid();
  if (running !== undefined) {
    // Never start a second daemon on the same socket and data root: wait for this one.
    console.log(`dockerd (pid ${running}) runs but does not answer yet; waiting…`);
    await waitForEngine(running);
    return actions;
  }
  const started = performance.now();
  const log = openSync(DOCKERD_LOG, "a");
  // Detached, in its own session: it outlives this script, like a service would.
  const child = spawn("dockerd", [...DOCKERD_ARGS], { detached: true, stdio: ["ignore", log, log] });
  child.unref();
  if (child.pid === undefined) throw new Error("could not start dockerd");
  await waitForEngine(child.pid);
  actions.push(
    `started dockerd ${DOCKERD_ARGS.join(" ")} as root on the default socket (pid ${child.pid}, ${seconds(started)}, log ${DOCKERD_LOG}); `
      + `stop it with \`kill $(cat ${DOCKERD_PID_FILE})\``,
  );
  return actions;
}

async function waitForEngine(pid: number): Promise<void> {
  const deadline = Date.now() + ENGINE_READY_MS;
  while (Date.now() < deadline) {
    if (await engineAnswers()) return;
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await Bun.sleep(500);
  }
  const { output } = await attempt(["tail", "-n", "30", DOCKERD_LOG]);
  throw new Error(`dockerd (pid ${pid}) did not answer within ${ENGINE_READY_MS / 1000} s; last lines of ${DOCKERD_LOG}:\n${output}`);
}

// `docker build` and `docker compose up` for real, as a user runs them. Run by `bun run test:containers`
// (CI runs it once per run, after `containers:prepare`), not by `bun test`: it needs root and an engine.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { engineAnswers } from "./engine.ts";
import { attempt } from "./sh.ts";
import type { Stats } from "../../src/stats/types.ts";
import { expectFixtureStats, expectedFigures, fixtureFiles, settledFixtureStats } from "../helpers/fixtures.ts";
import { getStats, login, TEST_ADMIN, TEST_SECRET, waitFor } from "../helpers/service.ts";
import { compose, docker, inspect, leftovers } from "./docker.ts";

const IMAGE = "wikitally:local";
const READ_ONLY = "wikitally-container-test-read-only";
const APP = "http://127.0.0.1:7000";
const SECRETS = { JWT_SECRET: TEST_SECRET, ADMIN_PASSWORD: TEST_ADMIN.password };
const HEALTHY_WITHIN_MS = 300_000;
// A docker build, a compose start or a container replay takes minutes: each such step has 10 minutes, past the 60 s default.
const DOCKER_STEP_MS = 600_000;

interface Health {
  store: { kind: string; ready: boolean; pending_events: number };
  stream: { state: string; last_error?: string };
}

let capture = "";
let dc: (args: string[]) => Promise<string>;

beforeAll(async () => {
  if (!(await engineAnswers())) throw new Error("no Docker engine answers: run `bun run containers:prepare` first (as root)");
  // The four captures one after another, as PROVENANCE.md's "all four" figures count them, in one file
  // the app's non-root user can read.
  const dir = mkdtempSync(join(tmpdir(), "wikitally-replay-"));
  chmodSync(dir, 0o755);
  capture = join(dir, "capture.sse");
  writeFileSync(
    capture,
    fixtureFiles()
      .map((file) => readFileSync(file))
      .reduce((all, bytes) => Buffer.concat([all, bytes]), Buffer.alloc(0)),
  );
  chmodSync(capture, 0o644);
  dc = await compose({ ...SECRETS, REPLAY_CAPTURE: capture });
  await attempt(["docker", "rm", "--force", READ_ONLY]);
  await dc(["down", "--volumes", "--remove-orphans"]);
}, DOCKER_STEP_MS);

afterAll(async () => {
  await attempt(["docker", "rm", "--force", READ_ONLY]);
  if (dc) await dc(["down", "--volumes", "--remove-orphans"]).catch(() => undefined);
  if (capture) rmSync(join(capture, ".."), { recursive: true, force: true });
}, DOCKER_STEP_MS);

async function health(base: string): Promise<Health> {
  const response = await fetch(`${base}/health`);
  return (await response.json()) as Health;
}

/** Waits until the replay has run to its end and every counted event is written. */
function replayDone(base: string): Promise<Health> {
  return waitFor(
    () => health(base),
    (h) => h.stream.state === "finished" && h.store.ready && h.store.pending_events === 0,
    120_000,
    "the replay to finish and flush",
  );
}

async function containerOf(service: string): Promise<string> {
  const id = (await dc(["ps", "--quiet", service])).trim();
  if (!id) throw new Error(`compose has no ${service} container`);
  return id;
}

function healthy(container: string): Promise<string | undefined> {
  return waitFor(
    () => inspect(container, "{{.State.Health.Status}}"),
    (status) => status === "healthy",
    HEALTHY_WITHIN_MS,
    `${container} to be healthy`,
  );
}

describe("the Dockerfile", () => {
  test(
    "builds",
    async () => {
      // Plain, as a user runs it: containers:prepare built it once with the host's network, and that
      // build's cached `bun install` layer is what lets it pass where build steps have no way out.
      await docker(["build", "--force-rm", "--tag", IMAGE, "."]);
      expect(await inspect(IMAGE, "{{.Config.User}}")).toBe("nonroot");
      expect(await inspect(IMAGE, "{{json .Config.Entrypoint}}")).toBe('["/wikitally"]');
    },
    DOCKER_STEP_MS,
  );

  test(
    "its image runs with a read-only root as uid 65532 and counts a replay exactly",
    async () => {
      const dir = join(capture, "..");
      await docker([
        "run",
        "--detach",
        "--name",
        READ_ONLY,
        "--read-only",
        "--publish",
        "127.0.0.1::7000",
        "--env",
        `JWT_SECRET=${SECRETS.JWT_SECRET}`,
        "--env",
        `ADMIN_PASSWORD=${SECRETS.ADMIN_PASSWORD}`,
        "--env",
        "STREAM_URL=/replay/capture.sse",
        "--volume",
        `${dir}:/replay:ro`,
        IMAGE,
      ]);
      const pid = await inspect(READ_ONLY, "{{.State.Pid}}");
      const uid = /^Uid:\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      expect({ real: uid?.[1], effective: uid?.[2] }).toEqual({ real: "65532", effective: "65532" });
      const port = (await docker(["port", READ_ONLY, "7000/tcp"])).trim().split(":").at(-1);
      const base = `http://127.0.0.1:${port}`;
      await replayDone(base);
      expectFixtureStats(await getStats(base, await login(base)));
      await docker(["stop", READ_ONLY]);
      expect(await inspect(READ_ONLY, "{{.State.ExitCode}}")).toBe("0");
    },
    DOCKER_STEP_MS,
  );
});

describe("docker compose", () => {
  let first: Stats;

  test(
    "up -d --build starts Cassandra and the app, and both become healthy",
    async () => {
      // The app publishes the fixed port 7000 the README promises; say so plainly if something holds it.
      const busy = await fetch(`${APP}/status`).then(
        () => true,
        () => false,
      );
      if (busy) throw new Error("something already answers on 127.0.0.1:7000; stop it before the container test");
      await dc(["up", "--detach", "--build"]);
      expect(await healthy(await containerOf("cassandra"))).toBe("healthy");
      expect(await healthy(await containerOf("app"))).toBe("healthy");
    },
    DOCKER_STEP_MS,
  );

  test(
    "the app logs in on port 7000 and /stats has PROVENANCE.md's figures, from Cassandra",
    async () => {
      await replayDone(APP);
      first = await settledFixtureStats(async () => getStats(APP, await login(APP)), 60_000);
      const { store, stream } = await health(APP);
      // Counted into Cassandra, reached by its service name (CASSANDRA_HOST=cassandra:9042).
      expect({ kind: store.kind, ready: store.ready }).toEqual({ kind: "cassandra", ready: true });
      expect(stream.last_error).toBeUndefined();
    },
    DOCKER_STEP_MS,
  );

  test(
    "restart app: the totals do not change (the replay resumes after the saved position)",
    async () => {
      const app = await containerOf("app");
      const startedBefore = await inspect(app, "{{.State.StartedAt}}");
      await dc(["restart", "app"]);
      expect(await inspect(app, "{{.State.StartedAt}}")).not.toBe(startedBefore);
      await healthy(app);
      await replayDone(APP);
      const after = await getStats(APP, await login(APP));
      expect(after.messages).toBe(expectedFigures().messages);
      expect(after).toEqual(first);
    },
    DOCKER_STEP_MS,
  );

  test(
    "stop app: the app exits with code 0",
    async () => {
      const app = await containerOf("app");
      await dc(["stop", "app"]);
      expect(await inspect(app, "{{.State.Running}}")).toBe("false");
      expect(await inspect(app, "{{.State.ExitCode}}")).toBe("0");
    },
    DOCKER_STEP_MS,
  );

  test(
    "down -v leaves no container, volume or network of the project",
    async () => {
      await dc(["down", "--volumes"]);
      expect(await leftovers()).toEqual({ containers: [], volumes: [], networks: [] });
    },
    DOCKER_STEP_MS,
  );
});

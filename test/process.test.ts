// The service as users run it: from source and as the compiled binary, started, queried and stopped.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "../src/version.ts";
import { BINARY, buildBinary, ROOT } from "./helpers/binary.ts";
import { expectFixtureStats, fixturePayloads } from "./helpers/fixtures.ts";
import { getStats, login, portOf, readLogUntil, testEnv, waitFor } from "./helpers/service.ts";
import { startSseServer, type SseServer } from "./helpers/sse-server.ts";

const payloads = fixturePayloads();
let server: SseServer;

beforeAll(() => {
  server = startSseServer({ payloads, maxChunk: 2000, seed: 3, script: [], after: { kind: "events", end: "hold" } });
});
afterAll(() => server.stop());

function spawnService(cmd: string[], env: Record<string, string>) {
  return Bun.spawn(cmd, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...testEnv({ STREAM_URL: server.url, LOG_LEVEL: "info", ...env }) },
    stdout: "pipe",
    stderr: "pipe",
  });
}

async function exercise(cmd: string[], signal: "SIGTERM" | "SIGINT") {
  const child = spawnService(cmd, {});
  try {
    const listening = await readLogUntil(child.stdout, (e) => e.msg === "listening");
    const base = `http://127.0.0.1:${portOf(listening)}`;
    const token = await login(base);
    expectFixtureStats(
      await waitFor(
        () => getStats(base, token),
        (s) => s.messages === payloads.length,
        20_000,
        "all events",
      ),
    );
    const started = Date.now();
    child.kill(signal);
    expect(await child.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(
      await fetch(`${base}/status`).then(
        () => "answered",
        () => "refused",
      ),
    ).toBe("refused");
  } finally {
    child.kill("SIGKILL");
  }
}

// Bun's reusePort (Elysia's default) let a second instance "listen" too, the kernel splitting requests.
async function refusesBusyPort(cmd: string[]) {
  const first = spawnService(cmd, {});
  try {
    const port = portOf(await readLogUntil(first.stdout, (e) => e.msg === "listening"));
    const second = spawnService(cmd, { PORT: String(port) });
    const outcome = await Promise.race([second.exited, Bun.sleep(15_000).then(() => "still running")]);
    second.kill("SIGKILL");
    expect(outcome).toBe(1);
    const lines = (await new Response(second.stdout).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.msg)).not.toContain("listening");
    const errors = lines.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.msg)).toContain(`127.0.0.1:${port}`);
    expect(errors[0]).toMatchObject({ host: "127.0.0.1", port });
    expect(await new Response(second.stderr).text()).toBe("");
    // The first instance still serves alone.
    expect((await fetch(`http://127.0.0.1:${port}/status`)).status).toBe(200);
  } finally {
    first.kill("SIGKILL");
    await first.exited;
  }
}

describe("running from source", () => {
  test("serves the exact totals and exits 0 on SIGTERM", async () => {
    await exercise([process.execPath, "src/main.ts"], "SIGTERM");
  });

  test.each([
    [{ PORT: "abc" }, "port"],
    [{ STORAGE: "redis" }, "storage"],
    [{ JWT_SECRET: "too-short" }, "jwt_secret"],
  ])("refuses to start with %o and names the key", async (env, key) => {
    const child = spawnService([process.execPath, "src/main.ts"], env);
    expect(await child.exited).toBe(1);
    const stderr = await new Response(child.stderr).text();
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain(`invalid ${key} =`);
    expect(stderr).not.toContain("too-short");
    expect(stderr).not.toContain("    at ");
  });

  test("refuses a port another instance listens on: exit 1 and one line naming host and port", async () => {
    await refusesBusyPort([process.execPath, "src/main.ts"]);
  });
});

describe("the compiled binary", () => {
  beforeAll(buildBinary, 120_000);

  test("is built as dist/wikitally", () => {
    expect(existsSync(BINARY)).toBe(true);
  });

  test("prints its version and help", () => {
    const version = Bun.spawnSync([BINARY, "--version"]);
    expect(version.exitCode).toBe(0);
    expect(version.stdout.toString().trim()).toBe(`wikitally ${VERSION}`);
    const help = Bun.spawnSync([BINARY, "--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toContain("healthcheck");
    const bad = Bun.spawnSync([BINARY, "--frobnicate"]);
    expect(bad.exitCode).toBe(2);
  });

  test("serves the exact totals and exits 0 on SIGINT", async () => {
    await exercise([BINARY], "SIGINT");
  });

  test("refuses a port another instance listens on: exit 1 and one line naming host and port", async () => {
    await refusesBusyPort([BINARY]);
  });

  test("reads --config and answers healthcheck", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wikitally-bin-"));
    const file = join(dir, "custom.json");
    writeFileSync(file, JSON.stringify({ log_level: "info", token_ttl_seconds: 120 }));
    const child = spawnService([BINARY, "--config", file], {});
    try {
      const listening = await readLogUntil(child.stdout, (e) => e.msg === "listening");
      const base = `http://127.0.0.1:${portOf(listening)}`;
      const token = await login(base);
      const payload = JSON.parse(atob(token.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/"))) as { exp: number; iat: number };
      expect(payload.exp - payload.iat).toBe(120);
      const healthy = Bun.spawnSync([BINARY, "healthcheck", "--url", base]);
      expect(healthy.exitCode).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await child.exited;
    }
    const unhealthy = Bun.spawnSync([BINARY, "healthcheck", "--url", "http://127.0.0.1:1"]);
    expect(unhealthy.exitCode).toBe(1);
  });
});

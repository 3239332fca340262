// Starting wikitally for tests (in-process or as a process) and talking to it over real HTTP.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBackends } from "../../src/backends.ts";
import { loadConfig, type Config } from "../../src/config/index.ts";
import { createLogger } from "../../src/log/logger.ts";
import { startService, type RunningService } from "../../src/service.ts";
import type { Stats } from "../../src/stats/types.ts";

export const TEST_SECRET = "test-secret-0123456789abcdef0123456789";
export const TEST_ADMIN = { username: "admin", password: "correct horse battery" };

/** Environment for a test service: port 0, fast reconnects, a strong secret, quiet logs. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: "0",
    HOST: "127.0.0.1",
    JWT_SECRET: TEST_SECRET,
    ADMIN_USERNAME: TEST_ADMIN.username,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    RECONNECT_MIN_MS: "20",
    RECONNECT_MAX_MS: "200",
    LOG_LEVEL: "error",
    ...overrides,
  };
}

/** A config built from an empty file plus `env`, exactly as the service would load it. */
function testConfig(overrides: Record<string, string> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), "wikitally-config-"));
  const file = join(dir, "config.json");
  writeFileSync(file, "{}");
  return loadConfig({ file, env: testEnv(overrides) });
}

/** The service in this process on testConfig(env), quiet, and the base URL of its API. */
export async function startTestService(env: Record<string, string>): Promise<{ service: RunningService; base: string }> {
  const service = await startService(testConfig(env), createLogger("error"), createBackends);
  return { service, base: `http://127.0.0.1:${service.port}` };
}

export async function login(base: string, credentials = TEST_ADMIN): Promise<string> {
  const response = await fetch(`${base}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(credentials),
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export async function getStats(base: string, token: string): Promise<Stats> {
  const response = await fetch(`${base}/stats`, { headers: { Authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`/stats answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Stats;
}

/** Polls until `done(value)` holds, returning the last value; throws with it after the timeout. */
export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (e) {
      error = e;
    }
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}${error ? `; last error: ${error}` : ""}`);
}

/** Reads a child's stdout JSON log lines until one matches, e.g. the "listening" line. */
export async function readLogUntil(
  stream: ReadableStream<Uint8Array>,
  match: (entry: Record<string, unknown>) => boolean,
  seen: Record<string, unknown>[] = [],
): Promise<Record<string, unknown>> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`process ended before the expected log line; saw ${JSON.stringify(seen.slice(-5))}`);
      buffer += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        seen.push(entry);
        if (match(entry)) return entry;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** The port from a "listening" log line's url. */
export function portOf(entry: Record<string, unknown>): number {
  return Number(new URL(String(entry.url)).port);
}

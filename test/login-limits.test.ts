// Failed-login limits over real HTTP: per client, with X-Forwarded-For believed only from trusted_proxies.
import { afterEach, describe, expect, test } from "bun:test";
import type { RunningService } from "../src/service.ts";
import { fixtureFiles } from "./helpers/fixtures.ts";
import { TEST_ADMIN, startTestService } from "./helpers/service.ts";

let service: RunningService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

async function start(env: Record<string, string>): Promise<string> {
  let base: string;
  ({ service, base } = await startTestService({ STREAM_URL: fixtureFiles()[0]!, LOGIN_MAX_FAILURES: "2", ...env }));
  return base;
}

async function login(base: string, password: string, forwardedFor: string): Promise<number> {
  const response = await fetch(`${base}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": forwardedFor },
    body: JSON.stringify({ username: TEST_ADMIN.username, password }),
  });
  return response.status;
}

describe("failed-login limits over HTTP", () => {
  test("behind a trusted proxy, one client's failures do not lock the user out for another client", async () => {
    const base = await start({ TRUSTED_PROXIES: "127.0.0.1" });
    expect(await login(base, "wrong-1", "203.0.113.9")).toBe(401);
    expect(await login(base, "wrong-2", "198.51.100.200, 203.0.113.9")).toBe(401);
    expect(await login(base, TEST_ADMIN.password, "203.0.113.9")).toBe(429);
    expect(await login(base, TEST_ADMIN.password, "198.51.100.1")).toBe(200);
  });

  test("without trusted proxies, X-Forwarded-For is ignored: a client cannot rotate it to escape its limit", async () => {
    const base = await start({});
    expect(await login(base, "wrong-1", "203.0.113.1")).toBe(401);
    expect(await login(base, "wrong-2", "203.0.113.2")).toBe(401);
    expect(await login(base, TEST_ADMIN.password, "203.0.113.3")).toBe(429);
  });
});

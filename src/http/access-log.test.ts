import { describe, expect, test } from "bun:test";
import { createLogger } from "../log/logger.ts";
import { MemoryStore } from "../store/memory-store.ts";
import { testApp } from "../../test/helpers/app.ts";
import { Ingest } from "../stream/index.ts";

function setup(accessLog: boolean) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger("info", (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  const store = new MemoryStore();
  const app = testApp({ store, ingest: new Ingest(store, log).counters, log, accessLog });
  const requests = () => lines.filter((l) => l.msg === "request");
  return { app, requests };
}

describe("the access log", () => {
  test("writes one line per request with method, route template, status, duration and client", async () => {
    const { app, requests } = setup(true);
    await app.handle(new Request("http://localhost/status"));
    await app.handle(new Request("http://localhost/stats"));
    await app.handle(new Request("http://localhost/secret/path/123"));
    await Bun.sleep(10);
    expect(requests().map(({ method, route, status }) => ({ method, route, status }))).toEqual([
      { method: "GET", route: "/status", status: 200 },
      { method: "GET", route: "/stats", status: 401 },
      { method: "GET", route: "unmatched", status: 404 },
    ]);
    for (const line of requests()) {
      expect(line.duration_ms).toBeNumber();
      expect(line.client).toBe("unknown"); // app.handle has no socket
    }
    expect(JSON.stringify(requests())).not.toContain("/secret/path");
  });

  test("is silent when access_log is off", async () => {
    const { app, requests } = setup(false);
    await app.handle(new Request("http://localhost/status"));
    await Bun.sleep(10);
    expect(requests()).toEqual([]);
  });
});

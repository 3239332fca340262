import { describe, expect, test } from "bun:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { MemoryUsers } from "../auth/users.ts";
import { createLogger } from "../log/logger.ts";
import { MemoryStore } from "../store/memory-store.ts";
import { Ingest, idleStatus } from "../stream/index.ts";
import { testApp } from "../../test/helpers/app.ts";

const USER = { username: "admin", password: "Correct-Horse-Battery-9" };
const users = new MemoryUsers();
await users.ensureUser(USER.username, USER.password);

async function setup() {
  const store = new MemoryStore();
  const log = createLogger("error");
  const ingest = new Ingest(store, log);
  const app = testApp({
    store,
    users,
    stream: () => ({ ...idleStatus("x"), state: "streaming" }),
    ingest: ingest.counters,
    lastEventDt: () => ingest.lastCountedDt,
    log,
  });
  const login = await app.handle(
    new Request("http://localhost/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(USER),
    }),
  );
  const { token } = (await login.json()) as { token: string };
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.handle(new Request(`http://localhost${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers } }));
  return { app, store, ingest, get };
}

const message = (dt: string) => ({
  type: "message",
  data: JSON.stringify({ user: "Ann", bot: false, server_url: "https://en.wikipedia.org", meta: { dt } }),
  lastEventId: "",
});

describe("GET /stats with ETag", () => {
  test("answers 304 without a body while the totals match If-None-Match, and 200 with a new tag once they change", async () => {
    const { get, ingest } = await setup();
    const first = await get("/stats");
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    const same = await get("/stats", { "If-None-Match": etag });
    expect(same.status).toBe(304);
    expect(same.headers.get("etag")).toBe(etag);
    expect(await same.text()).toBe("");

    ingest.onEvent(message("2025-05-03T07:00:00Z"));
    await ingest.drain();
    await Bun.sleep(120); // past the answer cache's 100 ms
    const changed = await get("/stats", { "If-None-Match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(((await changed.json()) as { messages: number }).messages).toBe(1);
  });

  test("still wants a valid token before answering 304", async () => {
    const { app, get } = await setup();
    const etag = (await get("/stats")).headers.get("etag")!;
    const anonymous = await app.handle(new Request("http://localhost/stats", { headers: { "If-None-Match": etag } }));
    expect(anonymous.status).toBe(401);
  });
});

describe("GET /stats compressed", () => {
  test.each([
    ["gzip, deflate, br", "br"],
    ["gzip", "gzip"],
    ["br;q=0, gzip", "gzip"],
  ] as const)("with Accept-Encoding %p answers %p, which decodes to the identity answer", async (accept, coding) => {
    const { get, ingest } = await setup();
    for (let i = 0; i < 50; i++)
      ingest.onEvent({ ...message(new Date().toISOString()), data: JSON.stringify({ user: `U${i}`, server_url: `https://w${i}.org` }) });
    await ingest.drain();
    const plain = await get("/stats");
    const identity = Buffer.from(await plain.arrayBuffer());
    const compressed = await get("/stats", { "Accept-Encoding": accept });
    expect(compressed.headers.get("content-encoding")).toBe(coding);
    expect(compressed.headers.get("vary")).toBe("Accept-Encoding");
    const raw = Buffer.from(await compressed.arrayBuffer());
    expect(raw.length).toBeLessThan(identity.length);
    expect(Buffer.from(coding === "br" ? brotliDecompressSync(raw) : gunzipSync(raw)).equals(identity)).toBe(true);
    // A strong tag per representation, and either one makes the other current too.
    expect(compressed.headers.get("etag")).not.toBe(plain.headers.get("etag"));
    expect((await get("/stats", { "If-None-Match": compressed.headers.get("etag")! })).status).toBe(304);
    expect((await get("/stats", { "If-None-Match": plain.headers.get("etag")!, "Accept-Encoding": accept })).status).toBe(304);
  });

  test("answers identity, without Content-Encoding, to a client that asks for nothing", async () => {
    const { get } = await setup();
    const response = await get("/stats");
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(((await response.json()) as { messages: number }).messages).toBe(0);
  });
});

describe("GET /stats/history", () => {
  test("serves the per-second series with stream state, lag and store readiness", async () => {
    const { get, ingest } = await setup();
    ingest.onEvent(message(new Date(Date.now() - 5000).toISOString()));
    await ingest.drain();
    const history = (await (await get("/stats/history")).json()) as {
      step_s: number;
      events: number[];
      stream: { state: string; lag_s?: number };
      store: { kind: string; ready: boolean; pending_events: number };
    };
    expect(history.step_s).toBe(1);
    expect(history.events).toBeArray();
    expect(history.stream.state).toBe("streaming");
    expect(history.stream.lag_s).toBeWithin(4, 30);
    expect(history.store).toEqual({ kind: "in-memory", ready: true, pending_events: 0 });
  });

  test("answers 401 without a token", async () => {
    const { app } = await setup();
    const response = await app.handle(new Request("http://localhost/stats/history"));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toStartWith("Bearer");
  });
});

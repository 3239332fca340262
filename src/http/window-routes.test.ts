// The windowed routes through app.handle (Elysia's path; test/e2e-windows.test.ts takes Bun's native /stats).
import { describe, expect, test } from "bun:test";
import { testApp } from "../../test/helpers/app.ts";
import { MemoryUsers } from "../auth/users.ts";
import { MemoryStore } from "../store/memory-store.ts";

const USER = { username: "admin", password: "Correct-Horse-Battery-9" };
const users = new MemoryUsers();
await users.ensureUser(USER.username, USER.password);
const T = Date.parse("2026-05-28T14:00:00Z");

async function setup(store: MemoryStore) {
  const app = testApp({ store, users });
  const login = await app.handle(
    new Request("http://localhost/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(USER) }),
  );
  const { token } = (await login.json()) as { token: string };
  return async (path: string) => {
    const response = await app.handle(new Request(`http://localhost${path}`, { headers: { Authorization: `Bearer ${token}` } }));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}

const event = (timeMs: number, user: string, bot = false) => ({
  timeMs,
  user,
  bot,
  serverUrl: "https://en.wikipedia.org",
  page: `https://en.wikipedia.org/wiki/${user}`,
});

describe("the windowed routes", () => {
  test("/stats with a range answers the range; without one, the totals since counting began", async () => {
    const store = new MemoryStore();
    for (const e of [event(T - 1, "Early"), event(T, "Ann"), event(T + 59_999, "Bob", true), event(T + 60_000, "Ann")]) store.add(e);
    const get = await setup(store);
    expect((await get("/stats?from=2026-05-28T14:00:00Z&to=2026-05-28T14:01:00Z")).body).toEqual({
      messages: 2,
      distinct_users: 2,
      bots: 1,
      non_bots: 1,
      by_server_url: { "https://en.wikipedia.org": 2 },
      from: "2026-05-28T14:00:00Z",
      to: "2026-05-28T14:01:00Z",
    });
    expect((await get("/stats")).body.messages).toBe(4);
    // An empty query string is the totals too; a parameter /stats does not take is a 400 naming it.
    expect((await get("/stats?")).body.messages).toBe(4);
    expect(await get("/stats?windows=1h")).toMatchObject({
      status: 400,
      body: { error: "invalid_parameter", message: expect.stringContaining("windows") },
    });
  });

  test("a range beyond max_server_urls keeps by_server_url to the URLs the totals keep", async () => {
    const store = new MemoryStore({ maxServerUrls: 1 });
    store.add(event(T, "Ann"));
    store.add({ ...event(T, "Bob"), serverUrl: "https://de.wikipedia.org" });
    const get = await setup(store);
    const { body } = await get("/stats?from=2026-05-28T14:00:00Z&to=2026-05-28T15:00:00Z");
    expect(body).toMatchObject({ messages: 2, by_server_url: { "https://en.wikipedia.org": 1 } });
    expect((await get("/stats")).body.by_server_url).toEqual(body.by_server_url as Record<string, number>);
  });

  test("a store that keeps no windows answers 501 with a JSON error, not a stack trace", async () => {
    const store = new MemoryStore();
    Object.defineProperty(store, "windows", { value: undefined });
    const get = await setup(store);
    for (const path of ["/stats?window=1h", "/stats/top?by=user&from=0&to=3600", "/stats/series?from=0&to=60&step=60"])
      expect({ path, ...(await get(path)) }).toEqual({
        path,
        status: 501,
        body: { error: "not_implemented", message: "time windows need storage: in-memory" },
      });
  });

  test("window=1h ends at the end of the current minute", async () => {
    const store = new MemoryStore();
    store.add(event(Date.now(), "Now"));
    const get = await setup(store);
    const endOfMinute = () => Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
    const before = endOfMinute();
    const { body } = await get("/stats?window=1h");
    // A minute may turn during the request.
    expect([before, endOfMinute()]).toContain(Date.parse(String(body.to)));
    expect(Date.parse(String(body.to)) - Date.parse(String(body.from))).toBe(3_600_000);
    expect(body.messages).toBe(1);
  });
});

import { afterEach, beforeAll, beforeEach, describe, expect, it, setSystemTime, spyOn } from "bun:test";
import { jwtVerify, SignJWT, type JWTPayload } from "jose";
import { MemoryUsers } from "../auth/users.ts";
import { createLogger } from "../log/logger.ts";
import { MemoryStore } from "../store/memory-store.ts";
import { emptyIngestCounters, type IngestCounters, type StreamStatus } from "../stream/index.ts";
import { CLIENT_FACTOR, FIRST_DELAY_MS } from "../auth/login-limiter.ts";
import { testApp } from "../../test/helpers/app.ts";
import type { AppOptions } from "./app.ts";
import { changeEvent } from "../../test/helpers/events.ts";

const SECRET = "an-HS256-test-secret-of-40-bytes-or-so!!";
const USER = "admin";
const PASSWORD = "Correct-Horse-Battery-9";
const TTL = 900;
const MAX_FAILURES = 3;
const WINDOW_S = 60;
/** Frozen "now" for every test, so issued and expiry times are exact. */
const NOW = Date.UTC(2030, 5, 1, 12, 0, 0);
const NOW_S = NOW / 1000;

// One argon2id hash for the whole file: hashing is deliberately slow.
const users = new MemoryUsers();
beforeAll(() => users.ensureUser(USER, PASSWORD));

beforeEach(() => setSystemTime(new Date(NOW)));
afterEach(() => setSystemTime());

function counters(): IngestCounters {
  return emptyIngestCounters();
}

function setup(overrides: Partial<AppOptions> = {}) {
  const store = new MemoryStore();
  const logLines: string[] = [];
  const streamStatus: StreamStatus = {
    state: "streaming",
    source: "https://stream.example/recentchange",
    connections: 1,
    lastError: undefined,
    lastEventAt: undefined,
    retryInMs: undefined,
  };
  const ingest = counters();
  const app = testApp({
    jwtSecret: SECRET,
    tokenTtlSeconds: TTL,
    loginMaxFailures: MAX_FAILURES,
    loginWindowSeconds: WINDOW_S,
    store,
    users,
    stream: () => streamStatus,
    ingest,
    log: createLogger("debug", (line) => logLines.push(line)),
    ...overrides,
  });
  return { app, store, logLines, streamStatus, ingest };
}

type App = ReturnType<typeof setup>["app"];

function get(app: App, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return app.handle(new Request(`http://localhost${path}`, { headers }));
}

function postLogin(
  app: App,
  body: string | null,
  contentType: string | undefined = "application/json",
  headers: Record<string, string> = {},
) {
  const h: Record<string, string> = { ...headers };
  if (contentType !== undefined) h["content-type"] = contentType;
  return app.handle(new Request("http://localhost/login", { method: "POST", headers: h, body }));
}

function login(app: App, username: string, password: string, headers: Record<string, string> = {}) {
  return postLogin(app, JSON.stringify({ username, password }), "application/json", headers);
}

async function tokenFor(app: App): Promise<string> {
  const response = await login(app, USER, PASSWORD);
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const decodePart = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
const key = (secret: string) => new TextEncoder().encode(secret);

async function signed(payload: JWTPayload, alg = "HS256", secret = SECRET): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT" }).sign(key(secret));
}

/**
 * app.handle() runs without a server, so every request's client address is "unknown". To test the
 * per-client limit, this gives the app a stand-in server whose requestIP() reads a test header.
 */
function withClientAddresses(app: App): void {
  const server = {
    requestIP: (request: Request) => ({ address: request.headers.get("x-test-client") ?? "unknown", family: "IPv4", port: 1 }),
  };
  (app as unknown as { server: unknown }).server = server;
}

/** What no error body may contain: stack frames, source paths, internal error names. */
function expectNoLeaks(text: string, ...secrets: string[]): void {
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toContain(".ts:");
  expect(text).not.toContain("node_modules");
  expect(text).not.toMatch(/stack/i);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

async function errorBody(response: Response): Promise<{ error: string; message: string }> {
  expect(response.headers.get("content-type")).toStartWith("application/json");
  const text = await response.text();
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["error", "message"]);
  expect(typeof body.error).toBe("string");
  expect(typeof body.message).toBe("string");
  return body as { error: string; message: string };
}

describe("GET /status", () => {
  it("answers {status: ok} without authentication", async () => {
    const { app } = setup();
    const response = await get(app, "/status");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    expect(await response.json()).toEqual({ status: "ok" });
  });
});

describe("POST /login", () => {
  it("issues an HS256 bearer token for the right credentials", async () => {
    const { app } = setup();
    const response = await login(app, USER, PASSWORD);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(PASSWORD);
    const body = JSON.parse(text) as { token: string; token_type: string; expires_in: number };
    expect(Object.keys(body).sort()).toEqual(["expires_in", "token", "token_type"]);
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(TTL);

    const [header, payload, signature] = body.token.split(".");
    expect(signature).toBeTruthy();
    expect(decodePart(header!)).toMatchObject({ alg: "HS256" });
    const claims = decodePart(payload!);
    expect(claims.sub).toBe(USER);
    expect(claims.iat).toBe(NOW_S);
    expect(claims.exp).toBe(NOW_S + TTL);
    expect(JSON.stringify(claims)).not.toContain(PASSWORD);

    // Signed with the configured secret, and with nothing else.
    await expect(jwtVerify(body.token, key(SECRET), { algorithms: ["HS256"] })).resolves.toBeDefined();
    await expect(jwtVerify(body.token, key(`${SECRET}x`))).rejects.toThrow();
  });

  it.each([
    ["a wrong password", USER, "wrong-password-1"],
    ["the password in another case", USER, PASSWORD.toUpperCase()],
    ["an unknown user", "mallory", PASSWORD],
    ["the user name in another case", "ADMIN", PASSWORD],
  ])("rejects %s with 401 invalid_credentials and no token", async (_name, username, password) => {
    const { app } = setup();
    const response = await login(app, username, password);
    expect(response.status).toBe(401);
    const text = await response.clone().text();
    expect(await errorBody(response)).toEqual({ error: "invalid_credentials", message: "invalid username or password" });
    expect(text).not.toContain('token"');
    expectNoLeaks(text, password);
  });

  it("answers a wrong password and an unknown user identically", async () => {
    const { app } = setup();
    const wrong = await login(app, USER, "wrong-password-2");
    const unknown = await login(app, "nobody-here", "wrong-password-2");
    expect(wrong.status).toBe(unknown.status);
    expect([...wrong.headers]).toEqual([...unknown.headers]);
    expect(await wrong.text()).toBe(await unknown.text());
  });

  it("logs a failed login without the password", async () => {
    const { app, logLines } = setup();
    await login(app, USER, "Leaky-Password-77");
    const failures = logLines.filter((line) => line.includes("login failed"));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(USER);
    expect(logLines.join("\n")).not.toContain("Leaky-Password-77");
  });

  const CANARY = "Pw-Canary-4711";
  const json = (value: unknown) => JSON.stringify(value);
  it.each<[string, string | null, string | undefined]>([
    ["malformed JSON", `{"username": "admin", "password": "${CANARY}"`, "application/json"],
    ["JSON with a trailing comma", `{"username":"admin","password":"${CANARY}",}`, "application/json"],
    ["a text/plain body", json({ username: USER, password: PASSWORD }), "text/plain"],
    ["a form-encoded body", `username=${USER}&password=${encodeURIComponent(PASSWORD)}`, "application/x-www-form-urlencoded"],
    ["no body at all", null, undefined],
    ["an empty JSON body", "", "application/json"],
    ["a JSON array", json([USER, PASSWORD]), "application/json"],
    ["a JSON string", json(`${USER}:${PASSWORD}`), "application/json"],
    ["JSON null", "null", "application/json"],
    ["an empty object", "{}", "application/json"],
    ["a missing password", json({ username: USER }), "application/json"],
    ["a missing username", json({ password: CANARY }), "application/json"],
    ["an extra field", json({ username: USER, password: PASSWORD, role: "root" }), "application/json"],
    ["an empty username", json({ username: "", password: CANARY }), "application/json"],
    ["an empty password", json({ username: USER, password: "" }), "application/json"],
    ["a numeric password", json({ username: USER, password: 47114711 }), "application/json"],
    ["a null password", json({ username: USER, password: null }), "application/json"],
    ["a boolean password", json({ username: USER, password: true }), "application/json"],
    ["an object password", json({ username: USER, password: { value: CANARY } }), "application/json"],
    ["an array username", json({ username: [USER], password: CANARY }), "application/json"],
    ["a numeric username", json({ username: 42, password: CANARY }), "application/json"],
    ["a password over 1024 characters", json({ username: USER, password: CANARY.repeat(80) }), "application/json"],
    ["a username over 128 characters", json({ username: "u".repeat(129), password: CANARY }), "application/json"],
  ])("rejects %s with 400 {error, message}, no stack and no echoed password", async (_name, body, contentType) => {
    const { app } = setup();
    const response = await postLogin(app, body, contentType);
    expect(response.status).toBe(400);
    const text = await response.clone().text();
    const { error, message } = await errorBody(response);
    expect(error).toMatch(/^invalid_/);
    expect(message.length).toBeGreaterThan(0);
    expect(text).not.toContain('token"');
    expectNoLeaks(text, CANARY, PASSWORD, "47114711");
  });

  it("does not count malformed requests as failed logins", async () => {
    const { app } = setup();
    for (let i = 0; i < MAX_FAILURES + 2; i++) {
      expect((await postLogin(app, "{not json", "application/json")).status).toBe(400);
      expect((await postLogin(app, JSON.stringify({ username: USER }))).status).toBe(400);
    }
    expect((await login(app, USER, PASSWORD)).status).toBe(200);
  });

  it("accepts application/json with a charset parameter", async () => {
    const { app } = setup();
    const response = await postLogin(app, JSON.stringify({ username: USER, password: PASSWORD }), "application/json; charset=utf-8");
    expect(response.status).toBe(200);
  });
});

describe("POST /login failure limit", () => {
  async function expectTooMany(response: Response) {
    expect(response.status).toBe(429);
    const retryAfter = response.headers.get("retry-after");
    expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
    expect(Number(retryAfter)).toBeLessThanOrEqual(WINDOW_S);
    const text = await response.clone().text();
    expect((await errorBody(response)).error).toBe("too_many_requests");
    expect(text).not.toContain('token"');
    expect(text).not.toContain(PASSWORD);
    return Number(retryAfter);
  }

  it("blocks a client after login_max_failures failures for a username, even with the right password, until the window ends", async () => {
    const { app } = setup();
    for (let i = 0; i < MAX_FAILURES; i++) expect((await login(app, USER, `wrong-${i}`)).status).toBe(401);
    // Time is frozen: the whole window is left.
    expect(await expectTooMany(await login(app, USER, PASSWORD))).toBe(WINDOW_S);
    expect((await login(app, USER, "wrong-again")).status).toBe(429);
    setSystemTime(new Date(NOW + 20_000));
    expect(await expectTooMany(await login(app, USER, PASSWORD))).toBe(WINDOW_S - 20);
    setSystemTime(new Date(NOW + WINDOW_S * 1000));
    expect((await login(app, USER, PASSWORD)).status).toBe(200);
  });

  it("does not block before login_max_failures failures", async () => {
    const { app } = setup();
    for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await login(app, USER, `wrong-${i}`)).status).toBe(401);
    expect((await login(app, USER, PASSWORD)).status).toBe(200);
  });

  it("counts a client's failures for a username whatever its case (stand-in server)", async () => {
    const { app } = setup();
    withClientAddresses(app);
    const from = { "x-test-client": "10.0.0.1" };
    for (const name of ["admin", "Admin", "ADMIN"]) expect((await login(app, name, "wrong", from)).status).toBe(401);
    await expectTooMany(await login(app, USER, PASSWORD, from));
    expect((await login(app, USER, PASSWORD, { "x-test-client": "10.0.0.2" })).status).toBe(200);
  });

  // With app.handle() there is no server, so every request has the client "unknown":
  // failures for different usernames add up to one client's count.
  it(`blocks a client after ${CLIENT_FACTOR} × login_max_failures failures spread over usernames`, async () => {
    const { app } = setup();
    for (let i = 0; i < MAX_FAILURES * CLIENT_FACTOR; i++) expect((await login(app, `user${i}`, "wrong")).status).toBe(401);
    await expectTooMany(await login(app, USER, PASSWORD));
  }, 20_000);

  // The defect: five wrong passwords for admin from one address made /login answer 429 to every address.
  it("refuses the failing address, not the user: the right password from another address logs in (stand-in server)", async () => {
    const { app } = setup();
    withClientAddresses(app);
    const attacker = { "x-test-client": "203.0.113.7" };
    for (let i = 0; i < MAX_FAILURES; i++) expect((await login(app, USER, `guess${i}`, attacker)).status).toBe(401);
    await expectTooMany(await login(app, USER, PASSWORD, attacker));
    expect((await login(app, USER, PASSWORD, { "x-test-client": "198.51.100.1" })).status).toBe(200);
  });

  it("slows down, and never refuses, a username attacked from many addresses (stand-in server)", async () => {
    const { app } = setup();
    withClientAddresses(app);
    const extra = 3;
    for (let i = 0; i < MAX_FAILURES + extra; i++) {
      expect((await login(app, USER, "wrong", { "x-test-client": `192.0.2.${i}` })).status).toBe(401);
    }
    const started = performance.now();
    expect((await login(app, USER, PASSWORD, { "x-test-client": "198.51.100.2" })).status).toBe(200);
    // The delay has doubled with each failure past the limit (a lower bound: sleeps never end early).
    expect(performance.now() - started).toBeGreaterThanOrEqual(FIRST_DELAY_MS * 2 ** extra - 5);
    expect((await login(app, "someone-else", "wrong", { "x-test-client": "198.51.100.2" })).status).toBe(401);
  }, 20_000);

  it("believes X-Forwarded-For only from trusted proxies, taking the right-most address they did not add (stand-in server)", async () => {
    const { app } = setup({ trustedProxies: ["10.0.0.0/8"] });
    withClientAddresses(app);
    const viaProxy = (chain: string) => ({ "x-test-client": "10.1.2.3", "x-forwarded-for": chain });
    // Behind the proxy, each client has its own count; a forged left part of the chain changes nothing.
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect((await login(app, USER, "wrong", viaProxy(`198.51.100.${i}, 203.0.113.9, 10.0.0.5`))).status).toBe(401);
    }
    await expectTooMany(await login(app, USER, PASSWORD, viaProxy("203.0.113.9")));
    expect((await login(app, USER, PASSWORD, viaProxy("198.51.100.50"))).status).toBe(200);
    // A client that is not a trusted proxy cannot pose as others by sending the header itself.
    const direct = (chain: string) => ({ "x-test-client": "203.0.113.66", "x-forwarded-for": chain });
    for (let i = 0; i < MAX_FAILURES; i++) expect((await login(app, USER, "wrong", direct(`192.0.2.${i}`))).status).toBe(401);
    await expectTooMany(await login(app, USER, PASSWORD, direct("192.0.2.200")));
  }, 20_000);

  it("clears a client's count for a username after a successful login", async () => {
    const { app } = setup();
    for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await login(app, USER, "wrong")).status).toBe(401);
    expect((await login(app, USER, PASSWORD)).status).toBe(200);
    for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await login(app, USER, "wrong")).status).toBe(401);
    // Without the reset this would be failure number 2 × (max − 1) ≥ max, and blocked.
    expect((await login(app, USER, PASSWORD)).status).toBe(200);
  });

  it("cannot be bypassed by sending many attempts at once", async () => {
    const { app } = setup();
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => login(app, USER, `parallel-guess-${i}`)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(MAX_FAILURES);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10 - MAX_FAILURES);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it("does not count logins that failed because the user directory was down", async () => {
    let down = true;
    const flaky = {
      ensureUser: (username: string, password: string) => users.ensureUser(username, password),
      verify: (username: string, password: string) =>
        down ? Promise.reject(new Error("cassandra timed out at 10.9.8.7")) : users.verify(username, password),
    };
    const { app } = setup({ users: flaky });
    for (let i = 0; i < MAX_FAILURES + 1; i++) {
      const response = await login(app, USER, PASSWORD);
      expect(response.status).toBe(503);
      expectNoLeaks(await response.text(), "10.9.8.7", PASSWORD);
    }
    down = false;
    expect((await login(app, USER, PASSWORD)).status).toBe(200);
  });

  it("does not hold a successful login against the client", async () => {
    const { app } = setup();
    for (let i = 0; i < MAX_FAILURES + 2; i++) expect((await login(app, USER, PASSWORD)).status).toBe(200);
  });
});

describe("GET /stats", () => {
  it("returns the exact totals to a bearer of a valid token", async () => {
    const { app, store } = setup();
    store.add(changeEvent({ user: "Alice", bot: false, serverUrl: "https://en.wikipedia.org" }));
    store.add(changeEvent({ user: "Alice", bot: false, serverUrl: "https://de.wikipedia.org" }));
    store.add(changeEvent({ user: "ClueBot NG", bot: true, serverUrl: "https://en.wikipedia.org" }));
    store.add(changeEvent({ user: undefined, bot: false, serverUrl: "https://commons.wikimedia.org" }));
    store.add(changeEvent({ user: "Bob", bot: false, serverUrl: undefined }));
    const token = await tokenFor(app);
    const response = await get(app, "/stats", { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      messages: 5,
      distinct_users: 3,
      bots: 1,
      non_bots: 4,
      by_server_url: {
        "https://en.wikipedia.org": 2,
        "https://de.wikipedia.org": 1,
        "https://commons.wikimedia.org": 1,
      },
    });
  });

  it("returns zeros before any event was counted", async () => {
    const { app } = setup();
    const response = await get(app, "/stats", { authorization: `Bearer ${await tokenFor(app)}` });
    expect(await response.json()).toEqual({ messages: 0, distinct_users: 0, bots: 0, non_bots: 0, by_server_url: {} });
  });

  it("accepts a token until its expiry time", async () => {
    const { app } = setup();
    const token = await tokenFor(app);
    setSystemTime(new Date(NOW + (TTL - 1) * 1000));
    expect((await get(app, "/stats", { authorization: `Bearer ${token}` })).status).toBe(200);
    setSystemTime(new Date(NOW + TTL * 1000));
    expect((await get(app, "/stats", { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it("asks for a bearer token, without an error code, when the Authorization header is missing", async () => {
    const { app, store } = setup();
    const stats = spyOn(store, "stats");
    const response = await get(app, "/stats");
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate");
    expect(challenge).toMatch(/^Bearer realm="[^"]+"$/);
    expect(challenge).not.toContain("error=");
    expect((await errorBody(response)).error).toBe("unauthorized");
    expect(stats).not.toHaveBeenCalled();
  });

  it.each([
    ["Basic credentials", "Basic YWRtaW46cGFzc3dvcmQ="],
    ["the Bearer scheme alone", "Bearer"],
    ["two tokens", "Bearer a b"],
    ["a token in quotes", 'Bearer "abc"'],
  ])("rejects %s as invalid_request", async (_name, authorization) => {
    const { app, store } = setup();
    const stats = spyOn(store, "stats");
    const response = await get(app, "/stats", { authorization });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_request"');
    const text = await response.clone().text();
    expect((await errorBody(response)).error).toBe("invalid_request");
    expectNoLeaks(text, "YWRtaW46cGFzc3dvcmQ=");
    expect(stats).not.toHaveBeenCalled();
  });

  const valid = { sub: USER, iat: NOW_S, exp: NOW_S + TTL };
  const badTokens: [string, () => Promise<string>][] = [
    [
      "a tampered payload",
      async () => {
        const [h, , s] = (await signed(valid)).split(".");
        return `${h}.${b64url({ ...valid, sub: "root" })}.${s}`;
      },
    ],
    [
      "an extended expiry in the payload",
      async () => {
        const [h, , s] = (await signed(valid)).split(".");
        return `${h}.${b64url({ ...valid, exp: valid.exp + 86_400 })}.${s}`;
      },
    ],
    [
      "a tampered signature",
      async () => {
        const [h, p, s] = (await signed(valid)).split(".");
        return `${h}.${p}.${s![0] === "A" ? "B" : "A"}${s!.slice(1)}`;
      },
    ],
    [
      "a missing signature",
      async () => {
        const [h, p] = (await signed(valid)).split(".");
        return `${h}.${p}.`;
      },
    ],
    ["a token signed with another secret", () => signed(valid, "HS256", "another-secret-that-is-long-enough-32b")],
    ["alg none", async () => `${b64url({ alg: "none", typ: "JWT" })}.${b64url(valid)}.`],
    [
      "alg none with the original signature",
      async () => {
        const [, p, s] = (await signed(valid)).split(".");
        return `${b64url({ alg: "none", typ: "JWT" })}.${p}.${s}`;
      },
    ],
    ["alg HS384 with the same secret", () => signed(valid, "HS384")],
    ["alg HS512 with the same secret", () => signed(valid, "HS512")],
    ["an expired token", () => signed({ sub: USER, iat: NOW_S - TTL - 60, exp: NOW_S - 60 })],
    ["a token without exp", () => signed({ sub: USER, iat: NOW_S })],
    ["a token without sub", () => signed({ iat: NOW_S, exp: NOW_S + TTL })],
    ["a token without iat", () => signed({ sub: USER, exp: NOW_S + TTL })],
    ["a token not valid yet (nbf)", () => signed({ ...valid, nbf: NOW_S + 600 })],
    ["three garbage segments", async () => "abc.def.ghi"],
    ["a single segment", async () => "abcdef"],
  ];

  it.each(badTokens)("rejects %s as invalid_token without running the handler", async (_name, make) => {
    const { app, store } = setup();
    store.add(changeEvent({ user: "Alice", bot: false, serverUrl: "https://en.wikipedia.org" }));
    const stats = spyOn(store, "stats");
    const token = await make();
    const response = await get(app, "/stats", { authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate");
    expect(challenge).toStartWith("Bearer realm=");
    expect(challenge).toContain('error="invalid_token"');
    const text = await response.clone().text();
    expect((await errorBody(response)).error).toBe("invalid_token");
    expect(text).not.toContain("messages");
    expect(text).not.toContain("en.wikipedia.org");
    expectNoLeaks(text, token, SECRET);
    expect(stats).not.toHaveBeenCalled();
  });

  it("runs the handler for a valid token (the spy sees it)", async () => {
    const { app, store } = setup();
    const stats = spyOn(store, "stats");
    const response = await get(app, "/stats", { authorization: `Bearer ${await signed(valid)}` });
    expect(response.status).toBe(200);
    expect(stats).toHaveBeenCalledTimes(1);
  });

  it("answers 500 internal_error without details when the store fails", async () => {
    const { app, store, logLines } = setup();
    spyOn(store, "stats").mockImplementation(() => Promise.reject(new Error("cassandra at 10.1.2.3 timed out")));
    const response = await get(app, "/stats", { authorization: `Bearer ${await signed(valid)}` });
    expect(response.status).toBe(500);
    const text = await response.clone().text();
    expect(await errorBody(response)).toEqual({ error: "internal_error", message: "internal error" });
    expectNoLeaks(text, "10.1.2.3", "cassandra");
    expect(logLines.some((line) => line.includes("cassandra at 10.1.2.3 timed out"))).toBe(true);
  });
});

describe("unknown routes", () => {
  it.each([
    ["GET", "/nope"],
    ["GET", "/stats/extra"],
    ["DELETE", "/nope"],
    ["POST", "/stats/"],
  ])("answers %s %s with 404 JSON", async (method, path) => {
    const { app } = setup();
    const response = await app.handle(new Request(`http://localhost${path}?token=Query-Secret-1`, { method }));
    expect(response.status).toBe(404);
    const text = await response.clone().text();
    const body = await errorBody(response);
    expect(body.error).toBe("not_found");
    expect(body.message).toContain(path);
    expectNoLeaks(text, "Query-Secret-1");
  });
});

describe("known paths asked with another method", () => {
  it.each([
    ["DELETE", "/stats", "GET, HEAD"],
    ["POST", "/stats", "GET, HEAD"],
    ["PUT", "/status", "GET, HEAD"],
    ["OPTIONS", "/health", "GET, HEAD"],
    ["GET", "/login", "POST"],
    ["PATCH", "/login", "POST"],
    ["DELETE", "/swagger/json", "GET, HEAD"],
  ])("answers %s %s with 405 JSON and Allow: %s", async (method, path, allow) => {
    const { app, store } = setup();
    const stats = spyOn(store, "stats");
    const response = await app.handle(new Request(`http://localhost${path}`, { method }));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
    const body = await errorBody(response);
    expect(body.error).toBe("method_not_allowed");
    expect(body.message).toContain(path);
    expect(stats).not.toHaveBeenCalled();
  });
});

describe("GET /swagger/json", () => {
  let spec: {
    paths: Record<string, Record<string, { security?: unknown; responses?: Record<string, unknown> }>>;
    components?: { securitySchemes?: Record<string, Record<string, unknown>> };
  };

  beforeAll(async () => {
    const response = await setup().app.handle(new Request("http://localhost/swagger/json"));
    expect(response.status).toBe(200);
    spec = (await response.json()) as typeof spec;
  });

  it.each([
    ["/login", "post"],
    ["/stats", "get"],
    ["/status", "get"],
    ["/health", "get"],
    ["/ready", "get"],
  ])("documents %s (%s)", (path, method) => {
    expect(spec.paths[path]?.[method]).toBeDefined();
  });

  it("declares the bearerAuth security scheme as an HTTP bearer JWT", () => {
    expect(spec.components?.securitySchemes?.bearerAuth).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
  });

  it("requires bearerAuth for /stats and for nothing else", () => {
    expect(spec.paths["/stats"]!.get!.security).toEqual([{ bearerAuth: [] }]);
    for (const [path, method] of [
      ["/login", "post"],
      ["/status", "get"],
      ["/health", "get"],
      ["/ready", "get"],
    ] as const) {
      expect(spec.paths[path]![method]!.security).toBeUndefined();
    }
  });

  it("documents the error answers of /login (400, 401, 413, 429) and of /stats (401)", () => {
    const login = Object.keys(spec.paths["/login"]!.post!.responses ?? {});
    expect(login).toEqual(expect.arrayContaining(["200", "400", "401", "413", "429"]));
    const stats = Object.keys(spec.paths["/stats"]!.get!.responses ?? {});
    expect(stats).toEqual(expect.arrayContaining(["200", "401"]));
  });

  it("documents application/json as the one content type /login takes", () => {
    const login = spec.paths["/login"]!.post! as { requestBody?: { content?: Record<string, unknown> } };
    expect(Object.keys(login.requestBody?.content ?? {})).toEqual(["application/json"]);
  });

  it("does not leak the JWT secret into the document", () => {
    expect(JSON.stringify(spec)).not.toContain(SECRET);
  });
});

describe("GET /ready", () => {
  it("is ready with the in-memory store", async () => {
    const { app } = setup();
    const response = await get(app, "/ready");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true });
  });

  it("answers 503 with a reason while the store is not ready", async () => {
    const { app, store } = setup();
    spyOn(store, "health").mockReturnValue({ ready: false, pendingEvents: 0, lastError: "connection refused" });
    const response = await get(app, "/ready");
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ready: false, reason: "connection refused" });
  });
});

describe("GET /health", () => {
  it("reports store, stream and ingest", async () => {
    const { app, ingest } = setup();
    ingest.counted = 12;
    ingest.canary = 2;
    ingest.malformed = 1;
    const response = await get(app, "/health");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; uptime_s: number; [part: string]: unknown };
    expect(body.status).toBe("ok");
    expect(typeof body.uptime_s).toBe("number");
    expect(body.store).toEqual({ kind: "in-memory", ready: true, pending_events: 0 });
    expect(body.stream).toEqual({ state: "streaming", source: "https://stream.example/recentchange", connections: 1 });
    expect(body.ingest).toEqual({ ...counters(), counted: 12, canary: 2, malformed: 1 });
    // Absent details are left out, not sent as null.
    expect(body.store).not.toHaveProperty("last_error");
    expect(body.stream).not.toHaveProperty("last_error");
  });

  it("is degraded, with the stream's error, while the stream is failing", async () => {
    const { app, streamStatus } = setup();
    streamStatus.state = "waiting";
    streamStatus.lastError = "HTTP 503";
    streamStatus.retryInMs = 4000;
    const body = (await (await get(app, "/health")).json()) as { status: string; stream: Record<string, unknown> };
    expect(body.status).toBe("degraded");
    expect(body.stream).toMatchObject({ state: "waiting", last_error: "HTTP 503", retry_in_ms: 4000 });
  });
});

// Whatever a client sends, the API answers with a bounded 4xx JSON error: through app.handle and over real HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MemoryUsers } from "../src/auth/users.ts";
import { MAX_BODY_BYTES } from "../src/http/json-body.ts";
import { listen } from "../src/http/listen.ts";
import { createLogger } from "../src/log/logger.ts";
import { parseRaw, rawRequest } from "./helpers/raw-http.ts";
import { testApp } from "./helpers/app.ts";
import { TEST_ADMIN } from "./helpers/service.ts";

const logLines: string[] = [];
let app: ReturnType<typeof testApp>;
let port: number;

beforeAll(async () => {
  const users = new MemoryUsers();
  await users.ensureUser(TEST_ADMIN.username, TEST_ADMIN.password);
  app = testApp({ loginMaxFailures: 1000, users, log: createLogger("debug", (line) => logLines.push(line)) });
  port = listen(app, "127.0.0.1", 0);
});
afterAll(() => app.stop(true));

interface Case {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | (() => ReadableStream<Uint8Array>) | undefined;
  status: number;
}

const json = { "content-type": "application/json" };
// A Request built for app.handle has no Content-Length unless given one; fetch sends the same value.
const large = { "content-type": "application/json", "content-length": String(2 * MAX_BODY_BYTES) };
const login = (body: Case["body"], headers: Record<string, string> = json): Case => ({
  method: "POST",
  path: "/login",
  headers,
  body,
  status: 400,
});
const chunked = (bytes: number) => () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let sent = 0; sent < bytes; sent += 8192) controller.enqueue(new Uint8Array(8192).fill(0x20));
      controller.close();
    },
  });
const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
const utf8 = (text: string) => new TextEncoder().encode(text);

const cases: [string, Case][] = [
  ["200,000 nested arrays (over the size limit)", { ...login(deep(200_000)), status: 413 }],
  ["30,000 nested arrays", login(deep(30_000))],
  ["60,000 unclosed brackets", login("[".repeat(60_000))],
  ["10,000 nested objects", login(`${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`)],
  ["17 nested arrays", login(deep(17))],
  ["an array of 30,000 numbers", login(`[${Array(30_000).fill(1).join(",")}]`)],
  ["5,000 unexpected keys", login(JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))))],
  ["nesting hidden after a valid prefix", login(`{"username":"a","password":"b","x":${deep(1000)}}`)],
  [
    "a body one byte over the limit",
    { ...login(JSON.stringify({ username: "a", password: "x".repeat(MAX_BODY_BYTES) }).slice(0, MAX_BODY_BYTES + 1)), status: 413 },
  ],
  ["a chunked body without a length, over the limit", { ...login(chunked(4 * MAX_BODY_BYTES)), status: 413 }],
  ["a large body to an unknown path", { method: "POST", path: "/nope", headers: large, body: "x".repeat(2 * MAX_BODY_BYTES), status: 413 }],
  [
    "a large body to a GET route asked with POST",
    { method: "POST", path: "/stats", headers: large, body: "x".repeat(2 * MAX_BODY_BYTES), status: 413 },
  ],
  ["invalid UTF-8", login(new Uint8Array([...utf8('{"username":"admin","password":"'), 0xff, 0xfe, 0xc0, ...utf8('"}')]))],
  ["an empty body", login("")],
  ["whitespace only", login("   \n ")],
  ["a UTF-16 body", login(new Uint8Array(Buffer.from(JSON.stringify({ username: "admin", password: "x" }), "utf16le")))],
  ["a gzip-encoded body", login(new Uint8Array(Bun.gzipSync(JSON.stringify(TEST_ADMIN))), { ...json, "content-encoding": "gzip" })],
  ["application/json-patch+json", login("{}", { "content-type": "application/json-patch+json" })],
  ["text/json", login(JSON.stringify(TEST_ADMIN), { "content-type": "text/json" })],
  [
    "multipart/form-data",
    login("--x\r\nContent-Disposition: form-data; name=username\r\n\r\nadmin\r\n--x--", {
      "content-type": "multipart/form-data; boundary=x",
    }),
  ],
  ["no content type", login(JSON.stringify(TEST_ADMIN), {})],
  ["numbers for strings", login(JSON.stringify({ username: 1, password: 2 }))],
  ["a huge number", login(`{"username":"admin","password":1e999999}`)],
  ["a __proto__ key", login(`{"username":"admin","password":"x","__proto__":{"admin":true}}`)],
  ["a constructor key", login(JSON.stringify({ username: "admin", password: "x", constructor: { prototype: {} } }))],
  ["a password of 60,000 characters", login(JSON.stringify({ username: "admin", password: "p".repeat(60_000) }))],
  ["a lone surrogate in the password", { ...login(`{"username":"admin","password":"\\ud800"}`), status: 401 }],
  ["NUL in the user name", { ...login(`{"username":"ad\\u0000min","password":"wrong-password"}`), status: 401 }],
  ["an 8 KB bearer token", { path: "/stats", headers: { authorization: `Bearer ${"a".repeat(8000)}` }, status: 401 }],
  ["a bearer token of dots", { path: "/stats", headers: { authorization: "Bearer ...." }, status: 401 }],
  [
    "a JWT whose header is not JSON",
    { path: "/stats", headers: { authorization: `Bearer ${btoa("{{{").replaceAll("=", "")}.e30.sig` }, status: 401 },
  ],
  ["a query string that does not decode", { path: "/stats?%zz=%&a=%E0%A4%A", status: 401 }],
  ["a path that does not decode", { path: "/%zz%", status: 404 }],
  ["a dot-dot path (URL parsing makes it /stats)", { path: "/swagger/%2e%2e/stats", status: 401 }],
  ["OPTIONS on /login", { method: "OPTIONS", path: "/login", status: 405 }],
  ["DELETE on /stats", { method: "DELETE", path: "/stats", status: 405 }],
  ["an HTML-only Accept on an unknown path", { path: "/nope", headers: { accept: "text/html" }, status: 404 }],
];

function request(base: string, c: Case): Request {
  const body = typeof c.body === "function" ? c.body() : c.body;
  return new Request(`${base}${c.path ?? "/"}`, { method: c.method ?? "GET", headers: c.headers ?? {}, body: body ?? null });
}

async function expectJsonError(response: Response, status: number): Promise<void> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  expect(response.headers.get("content-type")).toStartWith("application/json");
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["error", "message"]);
  expect(text).not.toMatch(/\n\s+at |\.ts:|node_modules|stack/i);
}

describe.each([
  ["through app.handle", (c: Case) => app.handle(request("http://localhost", c))],
  ["over a listening server", (c: Case) => fetch(request(`http://127.0.0.1:${port}`, c))],
])("hostile requests %s", (_how, send) => {
  test.each(cases)("%s: a 4xx JSON error", async (_name, c) => {
    await expectJsonError(await send(c), c.status);
  });

  test("nothing above was answered with a 5xx or logged as a failure", () => {
    expect(logLines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});

describe("costly bodies over a listening server", () => {
  // Unbounded, 20,000 levels took 5.6 s (200,000: 14 s, and a 500) while /status waited.
  test("a deeply nested body is refused at once, and other requests are answered meanwhile", async () => {
    const started = performance.now();
    const [nested, status] = await Promise.all([
      fetch(request(`http://127.0.0.1:${port}`, login(deep(30_000)))),
      fetch(`http://127.0.0.1:${port}/status`),
    ]);
    const elapsed = performance.now() - started;
    await expectJsonError(nested, 400);
    expect(status.status).toBe(200);
    // Generous for a loaded 2-core machine; the unbounded parse took 14 s.
    expect(elapsed).toBeLessThan(2000);
  });
});

// Requests fetch() will not make. Some never reach the app: Bun answers them itself, without a body.
describe("raw HTTP a client might send", () => {
  const head = (lines: string[]) => `${lines.join("\r\n")}\r\nConnection: close\r\n\r\n`;

  test("a Content-Length above the limit with a short body gets the app's 413 JSON", async () => {
    const { status, body } = parseRaw(
      await rawRequest(
        port,
        `${head(["POST /login HTTP/1.1", "Host: x", "Content-Type: application/json", `Content-Length: ${MAX_BODY_BYTES + 1}`])}{}`,
      ),
    );
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ error: "payload_too_large" });
  });

  test.each([
    ["a Content-Length far past Bun's backstop", ["POST /login HTTP/1.1", "Host: x", "Content-Length: 99999999999"], 413],
    ["a Content-Length that is not a number", ["POST /login HTTP/1.1", "Host: x", "Content-Length: abc"], 400],
    ["a 100 KB header", ["GET /status HTTP/1.1", "Host: x", `X-Junk: ${"j".repeat(100_000)}`], 431],
  ])("%s gets a 4xx from Bun itself", async (_name, lines, expected) => {
    expect(parseRaw(await rawRequest(port, head(lines))).status).toBe(expected);
  });

  test("a header with bytes that are not UTF-8 does not break the API", async () => {
    const raw = head(["GET /stats HTTP/1.1", "Host: x", "Authorization: Bearer \xff\xfe\xc0"]);
    const { status, body } = parseRaw(await rawRequest(port, Buffer.from(raw, "latin1")));
    expect(status).toBe(401);
    expect(JSON.parse(body)).toMatchObject({ error: "invalid_request" });
  });
});

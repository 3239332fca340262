import { afterAll, describe as group, expect, it } from "bun:test";
import { Kind, type TSchema } from "@sinclair/typebox";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "./errors.ts";
import { CONFIG_KEYS, describe, envName, loadConfig } from "./load.ts";
import { ConfigSchema, SECRET_KEYS } from "./schema.ts";

const dir = mkdtempSync(join(tmpdir(), "wikitally-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes `content` (an object is JSON-encoded) to a fresh file in the temp dir and returns its path. */
function configFile(content: unknown): string {
  const path = join(dir, `config-${++fileCount}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** An existing file, usable as a replayed stream_url. */
const capture = configFile("event: message\ndata: {}\n\n");

/** Runs loadConfig and returns the ConfigError it must throw. */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected loadConfig to throw a ConfigError, but it returned");
}

const properties = ConfigSchema.properties as Record<string, TSchema>;

group("loadConfig without a config file", () => {
  it("uses the documented defaults when ./config.json is absent and the environment is empty", () => {
    const empty = mkdtempSync(join(dir, "cwd-"));
    const cwd = process.cwd();
    process.chdir(empty);
    try {
      const config = loadConfig({ env: {} });
      expect(config.port).toBe(7000);
      expect(config.host).toBe("0.0.0.0");
      expect(config.storage).toBe("in-memory");
      expect(config.stream_url).toBe("https://stream.wikimedia.org/v2/stream/recentchange");
      expect(config.token_ttl_seconds).toBe(3600);
      expect(config.log_level).toBe("info");
      expect(config.replay_pace).toBe("fast");
      // Every key with a declared default gets it; keys without one stay absent.
      for (const key of CONFIG_KEYS) {
        const declared = properties[key]!.default;
        if (declared === undefined) expect(key in config).toBe(false);
        else expect(config[key as keyof typeof config]).toEqual(declared);
      }
      expect(config.jwt_secret).toBeUndefined();
    } finally {
      process.chdir(cwd);
    }
  });

  it("reads ./config.json from the working directory when no file is named", () => {
    const work = mkdtempSync(join(dir, "cwd-"));
    writeFileSync(join(work, "config.json"), JSON.stringify({ port: 9123, log_level: "debug" }));
    const cwd = process.cwd();
    process.chdir(work);
    try {
      const config = loadConfig({ env: {} });
      expect(config.port).toBe(9123);
      expect(config.log_level).toBe("debug");
    } finally {
      process.chdir(cwd);
    }
  });
});

group("loadConfig with a config file", () => {
  it("takes every value from the file", () => {
    const values = {
      port: 8081,
      host: "127.0.0.1",
      stream_url: capture,
      storage: "cassandra",
      cassandra_host: "db1:9042,db2:9042",
      token_ttl_seconds: 60,
      log_level: "warn",
      reconnect_min_ms: 10,
      reconnect_max_ms: 20,
      jwt_secret: "0123456789abcdef0123456789abcdef",
    };
    const config = loadConfig({ file: configFile(values), env: {} });
    expect(config).toMatchObject(values);
    // Keys the file leaves out keep their defaults.
    expect(config.admin_username).toBe("admin");
  });

  it("takes the file named by CONFIG_FILE", () => {
    const file = configFile({ port: 8082 });
    expect(loadConfig({ env: { CONFIG_FILE: file } }).port).toBe(8082);
  });

  it("prefers the explicit file option over CONFIG_FILE", () => {
    const chosen = configFile({ port: 8083 });
    const other = configFile({ port: 8084 });
    expect(loadConfig({ file: chosen, env: { CONFIG_FILE: other } }).port).toBe(8083);
  });

  it("accepts a file: URL of an existing capture as stream_url", () => {
    const url = pathToFileURL(capture).href;
    expect(loadConfig({ file: configFile({ stream_url: url }), env: {} }).stream_url).toBe(url);
  });

  it.each([
    ["a number", 8080, 8080],
    ["a numeric string", "8080", 8080],
    ["zero (pick a free port)", 0, 0],
    ['the string "0"', "0", 0],
    ["the highest port as a string", "65535", 65535],
  ])("accepts port as %s and returns a number", (_name, port, expected) => {
    const config = loadConfig({ file: configFile({ port }), env: {} });
    expect(config.port).toBe(expected);
    expect(typeof config.port).toBe("number");
  });

  it("returns a frozen object", () => {
    const config = loadConfig({ file: configFile({ port: 8085 }), env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(8085);
  });
});

/** For every key: a valid value in the file, and a different valid value in its environment variable. */
const overrides: Record<string, { file: unknown; env: string; expected: unknown; context?: Record<string, unknown> }> = {
  port: { file: 8001, env: "8002", expected: 8002 },
  host: { file: "127.0.0.1", env: "::1", expected: "::1" },
  stream_url: { file: "https://example.org/a", env: "http://127.0.0.1:9/b", expected: "http://127.0.0.1:9/b" },
  stream_since: { file: "2024-01-01T00:00:00Z", env: "1700000000000", expected: "1700000000000" },
  replay_pace: { file: "fast", env: "recorded", expected: "recorded" },
  user_agent: { file: "file-agent/1.0 (a@b.c)", env: "env-agent/2.0 (d@e.f)", expected: "env-agent/2.0 (d@e.f)" },
  stream_idle_timeout_ms: { file: 5000, env: "7000", expected: 7000 },
  reconnect_min_ms: { file: 500, env: "250", expected: 250 },
  reconnect_max_ms: { file: 90_000, env: "120000", expected: 120_000 },
  max_event_bytes: { file: 4096, env: "8192", expected: 8192 },
  max_server_urls: { file: 500, env: "20000", expected: 20_000 },
  window_retention_hours: { file: 12, env: "48", expected: 48 },
  storage: { file: "in-memory", env: "cassandra", expected: "cassandra" },
  cassandra_host: { file: "a:9042", env: "b:9042,c:9042", expected: "b:9042,c:9042" },
  cassandra_keyspace: { file: "from_file", env: "from_env", expected: "from_env" },
  cassandra_datacenter: { file: "dc-file", env: "dc-env", expected: "dc-env" },
  cassandra_replication: { file: "SimpleStrategy:1", env: "NetworkTopologyStrategy:3", expected: "NetworkTopologyStrategy:3" },
  cassandra_username: { file: "file-user", env: "env-user", expected: "env-user" },
  cassandra_password: { file: "file-pass", env: "env-pass", expected: "env-pass" },
  cassandra_new_user_check: { file: "read-then-insert", env: "lwt", expected: "lwt" },
  cassandra_consistency: { file: "QUORUM", env: "ONE", expected: "ONE" },
  cassandra_serial_consistency: { file: "LOCAL_SERIAL", env: "SERIAL", expected: "SERIAL" },
  lease_ttl_ms: { file: 20_000, env: "30000", expected: 30_000 },
  lease_renew_ms: { file: 300, env: "500", expected: 500 },
  // ingest=false needs storage "cassandra", which the file sets alongside.
  ingest: { file: true, env: "FALSE", expected: false, context: { storage: "cassandra" } },
  flush_interval_ms: { file: 100, env: "250", expected: 250 },
  jwt_secret: { file: "f".repeat(32), env: "e".repeat(40), expected: "e".repeat(40) },
  token_ttl_seconds: { file: 60, env: "120", expected: 120 },
  admin_username: { file: "file-admin", env: "env-admin", expected: "env-admin" },
  admin_password: { file: "file-password", env: "env-password", expected: "env-password" },
  login_max_failures: { file: 3, env: "9", expected: 9 },
  login_window_seconds: { file: 30, env: "45", expected: 45 },
  trusted_proxies: { file: ["10.0.0.1"], env: " 10.0.0.0/8, ::1,fd00::/8 ", expected: ["10.0.0.0/8", "::1", "fd00::/8"] },
  access_log: { file: true, env: "false", expected: false },
  metrics_token: { file: "metrics-token-from-file", env: "metrics-token-from-env", expected: "metrics-token-from-env" },
  log_level: { file: "error", env: "debug", expected: "debug" },
};

group("environment overrides", () => {
  it("has a case for every configuration key", () => {
    expect(Object.keys(overrides).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it.each(Object.entries(overrides))("%s is overridden by its upper-case variable, which beats the file", (key, c) => {
    const file = configFile({ ...c.context, [key]: c.file });
    const fromFile: Record<string, unknown> = loadConfig({ file, env: {} });
    expect(fromFile[key]).toEqual(c.file);
    const config: Record<string, unknown> = loadConfig({ file, env: { [key.toUpperCase()]: c.env } });
    expect(config[key]).toEqual(c.expected);
    expect(config[key]).not.toEqual(c.file);
  });

  it.each(Object.keys(overrides))("names the variable for %s in upper case", (key) => {
    expect(envName(key)).toBe(key.toUpperCase());
  });

  it("ignores a lower-case variable of the key's own name", () => {
    const config = loadConfig({ file: configFile({ port: 8010 }), env: { port: "8011" } });
    expect(config.port).toBe(8010);
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
  ])("treats an %s variable as unset", (_name, value) => {
    const file = configFile({ port: 8020, storage: "in-memory", log_level: "warn" });
    const config = loadConfig({ file, env: { PORT: value, STORAGE: value, LOG_LEVEL: value, JWT_SECRET: value } });
    expect(config.port).toBe(8020);
    expect(config.storage).toBe("in-memory");
    expect(config.log_level).toBe("warn");
    expect(config.jwt_secret).toBeUndefined();
  });

  it("treats an empty CONFIG_FILE as unset rather than as a file name", () => {
    const empty = mkdtempSync(join(dir, "cwd-"));
    const cwd = process.cwd();
    process.chdir(empty);
    try {
      expect(loadConfig({ env: { CONFIG_FILE: "" } }).port).toBe(7000);
    } finally {
      process.chdir(cwd);
    }
  });

  it("gives numeric keys numbers, not strings, from the environment", () => {
    const config = loadConfig({ file: configFile({}), env: { PORT: "8030", TOKEN_TTL_SECONDS: "90", LOGIN_MAX_FAILURES: "2" } });
    expect(config.port).toBe(8030);
    expect(config.token_ttl_seconds).toBe(90);
    expect(config.login_max_failures).toBe(2);
  });
});

interface InvalidCase {
  name: string;
  file?: unknown;
  env?: Record<string, string>;
  key: string;
  /** How the offending value must be shown in the message. */
  shown: string;
  /** Phrases saying what was expected. */
  expects: (string | RegExp)[];
  /** Where the message must say the value came from. */
  from: "file" | string;
}

const invalidCases: InvalidCase[] = [
  { name: 'port "abc" in the file', file: { port: "abc" }, key: "port", shown: '"abc"', expects: ["0", "65535"], from: "file" },
  { name: "port 70000 in the file", file: { port: 70000 }, key: "port", shown: "70000", expects: ["0", "65535"], from: "file" },
  { name: 'port "70000" in the file', file: { port: "70000" }, key: "port", shown: "70000", expects: ["65535"], from: "file" },
  { name: "port -1 in the file", file: { port: -1 }, key: "port", shown: "-1", expects: ["0", "65535"], from: "file" },
  { name: "port 1.5 in the file", file: { port: 1.5 }, key: "port", shown: "1.5", expects: ["65535"], from: "file" },
  { name: "PORT=abc", env: { PORT: "abc" }, key: "port", shown: '"abc"', expects: ["65535"], from: "env PORT" },
  { name: "PORT=70000", env: { PORT: "70000" }, key: "port", shown: "70000", expects: ["65535"], from: "env PORT" },
  { name: "PORT=-1", env: { PORT: "-1" }, key: "port", shown: '"-1"', expects: ["65535"], from: "env PORT" },
  {
    name: 'storage "redis"',
    file: { storage: "redis" },
    key: "storage",
    shown: '"redis"',
    expects: ['"in-memory"', '"cassandra"'],
    from: "file",
  },
  {
    name: "STORAGE=redis",
    env: { STORAGE: "redis" },
    key: "storage",
    shown: '"redis"',
    expects: ['"in-memory"', '"cassandra"'],
    from: "env STORAGE",
  },
  {
    name: "token_ttl_seconds 0",
    file: { token_ttl_seconds: 0 },
    key: "token_ttl_seconds",
    shown: "0",
    expects: [/integer/, /\b1\b/],
    from: "file",
  },
  {
    name: "TOKEN_TTL_SECONDS=0",
    env: { TOKEN_TTL_SECONDS: "0" },
    key: "token_ttl_seconds",
    shown: "0",
    expects: [/integer/],
    from: "env TOKEN_TTL_SECONDS",
  },
  {
    name: 'flush_interval_ms "1.5"',
    file: { flush_interval_ms: "1.5" },
    key: "flush_interval_ms",
    shown: '"1.5"',
    expects: [/integer/],
    from: "file",
  },
  {
    name: "FLUSH_INTERVAL_MS=1.5",
    env: { FLUSH_INTERVAL_MS: "1.5" },
    key: "flush_interval_ms",
    shown: '"1.5"',
    expects: [/integer/],
    from: "env FLUSH_INTERVAL_MS",
  },
  {
    name: 'log_level "trace"',
    file: { log_level: "trace" },
    key: "log_level",
    shown: '"trace"',
    expects: ['"debug"', '"info"', '"warn"', '"error"'],
    from: "file",
  },
  {
    name: "LOG_LEVEL=trace",
    env: { LOG_LEVEL: "trace" },
    key: "log_level",
    shown: '"trace"',
    expects: ['"debug"', '"error"'],
    from: "env LOG_LEVEL",
  },
  {
    name: "METRICS_TOKEN too short, shown masked",
    env: { METRICS_TOKEN: "short" },
    key: "metrics_token",
    shown: '"***"',
    expects: [/16/],
    from: "env METRICS_TOKEN",
  },
  {
    name: "ACCESS_LOG=maybe",
    env: { ACCESS_LOG: "maybe" },
    key: "access_log",
    shown: '"maybe"',
    expects: [/true or false/],
    from: "env ACCESS_LOG",
  },
  {
    name: "stream_url naming a file that does not exist",
    file: { stream_url: join(dir, "no-such-capture.sse") },
    key: "stream_url",
    shown: JSON.stringify(join(dir, "no-such-capture.sse")),
    expects: [/http\(s\) URL/, /existing/],
    from: "file",
  },
  {
    name: "STREAM_URL as a file: URL that does not exist",
    env: { STREAM_URL: pathToFileURL(join(dir, "gone.sse")).href },
    key: "stream_url",
    shown: JSON.stringify(pathToFileURL(join(dir, "gone.sse")).href),
    expects: [/existing/],
    from: "env STREAM_URL",
  },
  {
    name: "reconnect_max_ms below reconnect_min_ms",
    file: { reconnect_min_ms: 5000, reconnect_max_ms: 4000 },
    key: "reconnect_max_ms",
    shown: "4000",
    expects: ["reconnect_min_ms", "5000"],
    from: "file",
  },
  {
    name: "RECONNECT_MAX_MS below the default reconnect_min_ms",
    env: { RECONNECT_MAX_MS: "999" },
    key: "reconnect_max_ms",
    shown: "999",
    expects: ["reconnect_min_ms", "1000"],
    from: "env RECONNECT_MAX_MS",
  },
  { name: "INGEST=no", env: { INGEST: "no" }, key: "ingest", shown: '"no"', expects: ["true or false"], from: "env INGEST" },
  {
    name: "ingest false on the in-memory store",
    file: { ingest: false },
    key: "ingest",
    shown: "false",
    expects: ['storage is "cassandra"'],
    from: "file",
  },
  {
    name: 'cassandra_new_user_check "paxos"',
    file: { cassandra_new_user_check: "paxos" },
    key: "cassandra_new_user_check",
    shown: '"paxos"',
    expects: ['"read-then-insert", "lwt"'],
    from: "file",
  },
  {
    name: 'cassandra_replication "Simple:1"',
    file: { cassandra_replication: "Simple:1" },
    key: "cassandra_replication",
    shown: '"Simple:1"',
    expects: ["SimpleStrategy:<factor>"],
    from: "file",
  },
  { name: "max_server_urls 0", file: { max_server_urls: 0 }, key: "max_server_urls", shown: "0", expects: [/integer >= 1/], from: "file" },
  {
    name: "window_retention_hours 745",
    file: { window_retention_hours: 745 },
    key: "window_retention_hours",
    shown: "745",
    expects: ["an integer from 1 to 744"],
    from: "file",
  },
  {
    name: "MAX_SERVER_URLS=lots",
    env: { MAX_SERVER_URLS: "lots" },
    key: "max_server_urls",
    shown: '"lots"',
    expects: [/integer/],
    from: "env MAX_SERVER_URLS",
  },
  {
    name: "trusted_proxies as a string in the file",
    file: { trusted_proxies: "10.0.0.1" },
    key: "trusted_proxies",
    shown: '"10.0.0.1"',
    expects: [/list of IP addresses or CIDR/],
    from: "file",
  },
  {
    name: "trusted_proxies with a host name",
    file: { trusted_proxies: ["10.0.0.1", "proxy.local"] },
    key: "trusted_proxies",
    shown: '["10.0.0.1","proxy.local"]',
    expects: [/CIDR/],
    from: "file",
  },
  {
    name: "trusted_proxies with an IPv4 prefix over 32",
    file: { trusted_proxies: ["10.0.0.0/33"] },
    key: "trusted_proxies",
    shown: '["10.0.0.0/33"]',
    expects: [/CIDR/],
    from: "file",
  },
  {
    name: "TRUSTED_PROXIES with an IPv6 prefix over 128",
    env: { TRUSTED_PROXIES: "::1,fd00::/129" },
    key: "trusted_proxies",
    shown: '["::1","fd00::/129"]',
    expects: [/comma-separated/],
    from: "env TRUSTED_PROXIES",
  },
  {
    name: "TRUSTED_PROXIES with two slashes",
    env: { TRUSTED_PROXIES: "10.0.0.0/8/8" },
    key: "trusted_proxies",
    shown: '["10.0.0.0/8/8"]',
    expects: [/CIDR/],
    from: "env TRUSTED_PROXIES",
  },
  {
    name: "lease_ttl_ms 2500 (not whole seconds)",
    file: { lease_ttl_ms: 2500 },
    key: "lease_ttl_ms",
    shown: "2500",
    expects: ["multiple of 1000", "3000"],
    from: "file",
  },
  {
    name: "LEASE_TTL_MS=2000 (too short)",
    env: { LEASE_TTL_MS: "2000" },
    key: "lease_ttl_ms",
    shown: "2000",
    expects: [">= 3000"],
    from: "env LEASE_TTL_MS",
  },
  {
    name: "lease_renew_ms too long for the default lease",
    file: { lease_renew_ms: 2001 },
    key: "lease_renew_ms",
    shown: "2001",
    expects: ["lease_ttl_ms / 4 - 500", "2000"],
    from: "file",
  },
  {
    name: "LEASE_RENEW_MS too long for a 4 s lease",
    file: { lease_ttl_ms: 4000 },
    env: { LEASE_RENEW_MS: "600" },
    key: "lease_renew_ms",
    shown: "600",
    expects: ["(500)"],
    from: "env LEASE_RENEW_MS",
  },
  {
    name: 'cassandra_consistency "quorum" (CQL names are upper case)',
    file: { cassandra_consistency: "quorum" },
    key: "cassandra_consistency",
    shown: '"quorum"',
    expects: ['"LOCAL_QUORUM"'],
    from: "file",
  },
  {
    name: "login_max_failures 0",
    file: { login_max_failures: 0 },
    key: "login_max_failures",
    shown: "0",
    expects: [/integer >= 1/],
    from: "file",
  },
];

group("invalid values", () => {
  it.each(invalidCases.map((c) => [c.name, c] as const))("rejects %s, naming the key, the value and what was expected", (_name, c) => {
    const file = configFile(c.file ?? {});
    const error = configError(() => loadConfig({ file, env: c.env ?? {} }));
    expect(error.name).toBe("ConfigError");
    expect(error.key).toBe(c.key);
    expect(error.message).toContain(`invalid ${c.key} = ${c.shown}`);
    expect(error.message).toContain("expected");
    for (const phrase of c.expects) {
      if (typeof phrase === "string") expect(error.message).toContain(phrase);
      else expect(error.message).toMatch(phrase);
    }
    expect(error.message).toContain(c.from === "file" ? file : c.from);
    // One line, for main to print; no stack or object dump.
    expect(error.message).not.toContain("\n");
    expect(error.message).not.toContain("[object");
  });

  it("rejects an unknown key in the file and lists the known ones", () => {
    const file = configFile({ port: 8000, prot: 8000 });
    const error = configError(() => loadConfig({ file, env: {} }));
    expect(error.key).toBe("prot");
    expect(error.message).toContain('"prot"');
    expect(error.message).toContain(file);
    for (const key of CONFIG_KEYS) expect(error.message).toContain(key);
  });

  it("does not treat an unknown upper-case environment variable as an error", () => {
    expect(loadConfig({ file: configFile({}), env: { PROT: "1", HOME: "/root" } }).port).toBe(7000);
  });

  it.each([
    ["truncated JSON", '{"port": 8000'],
    ["a trailing comma", '{"port": 8000,}'],
    ["an empty file", ""],
    ["JSON with comments", '{"port": 8000 // the port\n}'],
  ])("rejects a file holding %s as not valid JSON", (_name, text) => {
    const file = configFile(text);
    const error = configError(() => loadConfig({ file, env: {} }));
    expect(error.message).toContain(file);
    expect(error.message).toContain("not valid JSON");
    expect(error.key).toBeUndefined();
  });

  it.each([
    ["an array", "[]"],
    ["a string", '"port=8000"'],
    ["a number", "8000"],
    ["null", "null"],
    ["true", "true"],
  ])("rejects a file holding %s: it must be a JSON object", (_name, text) => {
    const file = configFile(text);
    const error = configError(() => loadConfig({ file, env: {} }));
    expect(error.message).toContain(file);
    expect(error.message).toContain("JSON object");
  });

  it.each([
    ["the file option", (path: string) => ({ file: path, env: {} })],
    ["CONFIG_FILE", (path: string) => ({ env: { CONFIG_FILE: path } })],
  ])("rejects an explicit config file named by %s that does not exist", (_name, options) => {
    const missing = join(dir, "missing", "config.json");
    const error = configError(() => loadConfig(options(missing)));
    expect(error.message).toContain(missing);
    expect(error.message).toContain("cannot read");
  });
});

group("jwt_secret length", () => {
  it.each([
    ["31 ASCII bytes", "a".repeat(31)],
    ["15 two-byte characters (30 bytes)", "é".repeat(15)],
    ["10 three-byte characters (30 bytes)", "€".repeat(10)],
    ["7 four-byte characters (28 bytes)", "🔑".repeat(7)],
  ])("rejects a secret of %s, shown masked", (_name, secret) => {
    for (const options of [
      { file: configFile({ jwt_secret: secret }), env: {} },
      { file: configFile({}), env: { JWT_SECRET: secret } },
    ]) {
      const error = configError(() => loadConfig(options));
      expect(error.key).toBe("jwt_secret");
      expect(error.message).toContain('invalid jwt_secret = "***"');
      expect(error.message).toContain("32 bytes");
      expect(error.message).not.toContain(secret);
    }
  });

  it.each([
    ["32 ASCII bytes", "a".repeat(32)],
    ["16 two-byte characters (32 bytes)", "é".repeat(16)],
    ["10 three-byte characters and 2 ASCII (32 bytes)", `${"€".repeat(10)}ab`],
    ["8 four-byte characters (32 bytes)", "🔑".repeat(8)],
  ])("accepts a secret of %s", (_name, secret) => {
    expect(Buffer.byteLength(secret)).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ file: configFile({}), env: { JWT_SECRET: secret } }).jwt_secret).toBe(secret);
  });
});

group("secrets in error messages", () => {
  const secretCases: [string, Record<string, unknown>, Record<string, string>, string, string][] = [
    ["admin_password too short in the file", { admin_password: "hunter2" }, {}, "admin_password", "hunter2"],
    ["ADMIN_PASSWORD too short", {}, { ADMIN_PASSWORD: "pa55wd" }, "admin_password", "pa55wd"],
    ["admin_password too long", { admin_password: "Sup3rS3cret!".repeat(100) }, {}, "admin_password", "Sup3rS3cret!"],
    ["admin_password of the wrong type", { admin_password: 12345678 }, {}, "admin_password", "12345678"],
    ["jwt_secret too short in the file", { jwt_secret: "my-jwt-signing-key" }, {}, "jwt_secret", "my-jwt-signing-key"],
    ["cassandra_password of the wrong type", { cassandra_password: ["cassandra-pass"] }, {}, "cassandra_password", "cassandra-pass"],
  ];

  it.each(secretCases)('masks %s as "***" and never prints it', (_name, file, env, key, secret) => {
    expect(SECRET_KEYS.has(key)).toBe(true);
    const path = configFile(file);
    const error = configError(() => loadConfig({ file: path, env }));
    expect(error.key).toBe(key);
    expect(error.message).toContain(`invalid ${key} = "***"`);
    expect(error.message).not.toContain(secret);
  });

  it("does not print a secret that made the file invalid JSON", () => {
    const file = configFile('{"port": 8000, "jwt_secret": zQ8vTopSecretSigningKeyValue0123456789}');
    const error = configError(() => loadConfig({ file, env: {} }));
    expect(error.message).toContain("not valid JSON");
    expect(error.message).not.toContain("zQ8vTopSecretSigningKeyValue0123456789");
  });

  it("does not print secrets when another key is invalid", () => {
    const file = configFile({ port: "abc", admin_password: "correct-horse", jwt_secret: "k".repeat(40) });
    const error = configError(() => loadConfig({ file, env: { CASSANDRA_PASSWORD: "db-pass-123" } }));
    expect(error.key).toBe("port");
    expect(error.message).not.toContain("correct-horse");
    expect(error.message).not.toContain("k".repeat(40));
    expect(error.message).not.toContain("db-pass-123");
  });
});

group("schema documentation", () => {
  it.each(CONFIG_KEYS.map((key) => [key]))("%s has a description", (key) => {
    const description = properties[key]!.description;
    expect(typeof description).toBe("string");
    expect((description as string).trim().length).toBeGreaterThan(10);
  });

  it.each(CONFIG_KEYS.map((key) => [key]))("describe() says in words what %s accepts", (key) => {
    const schema = properties[key]!;
    const text = describe(schema);
    expect(text.length).toBeGreaterThan(3);
    expect(text).not.toBe("a valid value");
    expect(text).not.toMatch(/undefined|NaN|\[object|null/);
    // It reflects the schema's own constraints.
    if (schema[Kind] === "Union" && (schema.anyOf as TSchema[]).every((s) => s[Kind] === "Literal")) {
      for (const option of schema.anyOf as TSchema[]) expect(text).toContain(JSON.stringify(option.const));
    }
    if (schema[Kind] === "Integer") {
      expect(text).toContain("integer");
      expect(text).toContain(String(schema.minimum));
      if (schema.maximum !== undefined) expect(text).toContain(String(schema.maximum));
    }
  });
});

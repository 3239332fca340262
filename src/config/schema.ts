// The one TypeBox schema for wikitally's configuration: names, defaults and documentation.
import { DEFAULT_MAX_SERVER_URLS } from "../stats/server-urls.ts";
import { FormatRegistry, Type as T, type Static } from "@sinclair/typebox";
import { isIP } from "node:net";
import { PROJECT_URL, SERVICE_NAME, VERSION } from "../version.ts";

export const DEFAULT_USER_AGENT = `${SERVICE_NAME}/${VERSION} (${PROJECT_URL}; statistics bot) bun/${Bun.version}`;

// An address ("10.0.0.1", "::1") or a CIDR range ("10.0.0.0/8", "fd00::/8").
FormatRegistry.Set("ip-or-cidr", (text) => {
  const [address = "", prefix, extra] = text.split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
});

/** Consistency levels that make sense for a single data centre's reads and writes. */
const CONSISTENCIES = ["ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE"] as const;

const Millis = (def: number, description: string, minimum = 1) => T.Integer({ minimum, default: def, description });

export const ConfigSchema = T.Object(
  {
    port: T.Union([T.Integer({ minimum: 0, maximum: 65535 }), T.String({ pattern: "^[0-9]{1,5}$" })], {
      default: 7000,
      expected: "a port number from 0 to 65535, as a number or a numeric string",
      description: "TCP port of the HTTP API (0 picks a free port).",
    }),
    host: T.String({ minLength: 1, default: "0.0.0.0", description: "Address the HTTP API listens on." }),
    stream_url: T.String({
      minLength: 1,
      default: "https://stream.wikimedia.org/v2/stream/recentchange",
      description:
        "SSE stream to consume: an http(s) URL, or a file path / file: URL of a recorded capture, replayed once (with Cassandra, a restart resumes after the last counted event).",
    }),
    ingest: T.Boolean({
      default: true,
      description:
        "Consume the stream. With Cassandra, any number of instances may share a keyspace: only the holder of the ingest lease consumes, the others stand by (see src/lease/README.md). false: never ingest, only serve /stats from a Cassandra keyspace others ingest into.",
    }),
    stream_since: T.Optional(
      T.String({
        minLength: 1,
        description: "Where to start when no position was saved: epoch milliseconds or an ISO date, sent as ?since=.",
      }),
    ),
    replay_pace: T.Union([T.Literal("fast"), T.Literal("recorded")], {
      default: "fast",
      description: "For a file stream_url: replay as fast as possible, or at the pace of the events' meta.dt.",
    }),
    user_agent: T.String({
      minLength: 8,
      default: DEFAULT_USER_AGENT,
      description: "User-Agent sent to the stream. Wikimedia requires a descriptive one with contact information.",
    }),
    stream_idle_timeout_ms: Millis(60_000, "Reconnect when the stream sends no bytes for this long.", 100),
    reconnect_min_ms: Millis(1_000, "First delay of the exponential reconnect backoff after an error."),
    reconnect_max_ms: Millis(60_000, "Ceiling of the reconnect backoff."),
    max_event_bytes: T.Integer({ minimum: 1024, default: 1_048_576, description: "Larger SSE events are discarded unread." }),
    max_server_urls: T.Integer({
      minimum: 1,
      default: DEFAULT_MAX_SERVER_URLS,
      description:
        "Most distinct server URLs kept in by_server_url; events of further ones count everywhere else and are tallied as server_url_overflow.",
    }),
    window_retention_hours: T.Integer({
      minimum: 1,
      maximum: 744,
      default: 24,
      description:
        "How far back the time windows (/stats?from&to, /stats/top, /stats/series) reach, counted back from the newest event time seen. In memory only for now.",
    }),
    storage: T.Union([T.Literal("in-memory"), T.Literal("cassandra")], {
      default: "in-memory",
      description: "Where statistics, users and the stream position are kept.",
    }),
    cassandra_host: T.String({
      minLength: 1,
      default: "127.0.0.1:9042",
      description: "Cassandra contact points, comma-separated host[:port].",
    }),
    cassandra_keyspace: T.String({
      pattern: "^[A-Za-z][A-Za-z0-9_]{0,47}$",
      default: "goanalytics",
      description: "Keyspace holding wikitally's tables.",
    }),
    cassandra_datacenter: T.String({
      minLength: 1,
      default: "datacenter1",
      description: "Local data centre for the driver's load balancing.",
    }),
    cassandra_replication: T.String({
      pattern: "^(SimpleStrategy|NetworkTopologyStrategy):[1-9][0-9]?$",
      default: "SimpleStrategy:1",
      expected: "SimpleStrategy:<factor> or NetworkTopologyStrategy:<factor>",
      description: "Keyspace replication when wikitally creates it: strategy:factor (NetworkTopologyStrategy uses cassandra_datacenter).",
    }),
    cassandra_username: T.Optional(T.String({ minLength: 1, description: "Cassandra user (PasswordAuthenticator)." })),
    cassandra_password: T.Optional(T.String({ minLength: 1, description: "Cassandra password." })),
    cassandra_new_user_check: T.Union([T.Literal("read-then-insert"), T.Literal("lwt")], {
      default: "read-then-insert",
      description:
        "How a user is found new for distinct_users: read-then-insert is exact with one writer per keyspace (which the ingest lease ensures) and cheap; lwt (INSERT ... IF NOT EXISTS) stays exact with several writers, at one Paxos round per new user.",
    }),
    cassandra_consistency: T.Union(
      CONSISTENCIES.map((c) => T.Literal(c)),
      {
        default: "LOCAL_QUORUM",
        description: "Consistency level of every read and write. With replication 3, LOCAL_QUORUM keeps working with one replica down.",
      },
    ),
    cassandra_serial_consistency: T.Union([T.Literal("LOCAL_SERIAL"), T.Literal("SERIAL")], {
      default: "LOCAL_SERIAL",
      description: "Serial consistency of the lightweight transactions (the ingest lease, new users with lwt, user creation).",
    }),
    lease_ttl_ms: T.Integer({
      minimum: 3000,
      multipleOf: 1000,
      default: 10_000,
      expected: "an integer >= 3000 that is a multiple of 1000 (Cassandra TTLs are whole seconds)",
      description: "Lifetime of the ingest lease (Cassandra only): a crashed holder is replaced within this plus lease_renew_ms.",
    }),
    lease_renew_ms: Millis(
      2_000,
      "How often the lease holder renews it, and standbys try to take it. At most lease_ttl_ms / 4 - 500.",
      100,
    ),
    flush_interval_ms: Millis(1_000, "How often counted events are flushed to Cassandra.", 10),
    jwt_secret: T.Optional(
      T.String({
        // The 32-byte minimum is checked in bytes by the loader; minLength would count UTF-16 units.
        minLength: 1,
        expected: "a string of at least 32 bytes",
        description: "HS256 signing key, at least 32 bytes. When absent a random one is generated at start-up.",
      }),
    ),
    token_ttl_seconds: T.Integer({ minimum: 1, maximum: 31_536_000, default: 3600, description: "Lifetime of issued tokens." }),
    admin_username: T.String({ minLength: 1, maxLength: 128, default: "admin", description: "User created at start-up." }),
    admin_password: T.String({ minLength: 8, maxLength: 1024, default: "password123", description: "Password of admin_username." }),
    login_max_failures: T.Integer({
      minimum: 1,
      default: 5,
      description:
        "Failed logins allowed per client address and username within login_window_seconds (4 times as many per address over all usernames); then 429. A username failing from many addresses is slowed down (up to 2 s per attempt), never refused.",
    }),
    login_window_seconds: T.Integer({ minimum: 1, default: 300, description: "Window of the login failure limit." }),
    trusted_proxies: T.Array(T.String({ format: "ip-or-cidr" }), {
      default: [],
      expected: "a list of IP addresses or CIDR ranges (in the environment, comma-separated)",
      description:
        "Reverse proxies whose X-Forwarded-For is believed: the client is the right-most address in it that is not one of them. Empty: the client is the TCP peer.",
    }),
    access_log: T.Boolean({
      default: true,
      description: "Log one line per HTTP request (method, route, status, duration, client) at level info.",
    }),
    metrics_token: T.Optional(
      T.String({
        minLength: 16,
        description: "When set, GET /metrics requires `Authorization: Bearer <metrics_token>`; when absent /metrics is open, like /health.",
      }),
    ),
    log_level: T.Union([T.Literal("debug"), T.Literal("info"), T.Literal("warn"), T.Literal("error")], {
      default: "info",
      description: "Lowest level written to the JSON log on stdout.",
    }),
  },
  { additionalProperties: false },
);

export type RawConfig = Static<typeof ConfigSchema>;
/** The validated configuration, with `port` normalised to a number. */
export type Config = Readonly<Omit<RawConfig, "port"> & { port: number }>;

/** Keys whose values never appear in logs or error messages. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["jwt_secret", "admin_password", "cassandra_password", "metrics_token"]);

/** The shipped defaults that must not be used in production; a warning is logged while they are. */
export const SHIPPED_ADMIN_PASSWORD = "password123";

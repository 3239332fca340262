// The HTTP API: routes, authentication, OpenAPI docs, and the one place errors become responses.
import { jwt } from "@elysiajs/jwt";
import { swagger } from "@elysiajs/swagger";
import { Elysia } from "elysia";
import { LoginLimiter } from "../auth/login-limiter.ts";
import type { UserDirectory } from "../auth/users.ts";
import { EventHistory } from "../dashboard/history.ts";
import type { LeaseStatus } from "../lease/ingest-lease.ts";
import type { Logger } from "../log/logger.ts";
import { lagSeconds } from "../metrics/lag.ts";
import { Metrics } from "../metrics/metrics.ts";
import { RequestObserver } from "../metrics/request-observer.ts";
import type { StatsStore } from "../store/stats-store.ts";
import type { IngestCounters, StreamStatus } from "../stream/index.ts";
import { SERVICE_NAME, VERSION } from "../version.ts";
import { bearerToken } from "./bearer.ts";
import { ClientAddress } from "./client-address.ts";
import { dashboardRoutes } from "./dashboard-routes.ts";
import { ErrorAnswers } from "./error-answers.ts";
import { HttpError, InvalidCredentialsError, ServiceUnavailableError, TooManyRequestsError, UnauthorizedError } from "./errors.ts";
import { readJsonBody } from "./json-body.ts";
import { metricsRoute } from "./metrics-route.ts";
import { errorAnswers } from "./openapi.ts";
import { StatsCache } from "./stats-cache.ts";
import { StatsRoute } from "./stats-route.ts";
import { swaggerPage } from "./swagger-page.ts";
import { TokenCache } from "./token-cache.ts";
import {
  HealthSchema, HistorySchema, LoginBody, ReadySchema, StatsSchema, StatusSchema, TokenSchema,
} from "./schemas.ts";

export interface AppOptions {
  jwtSecret: string;
  tokenTtlSeconds: number;
  loginMaxFailures: number;
  loginWindowSeconds: number;
  /** Proxies whose X-Forwarded-For names the client (config trusted_proxies); none by default. */
  trustedProxies?: readonly string[];
  store: StatsStore;
  users: UserDirectory;
  stream: () => StreamStatus;
  ingest: IngestCounters;
  /** The ingest lease, when this instance competes for it (Cassandra with ingest on). */
  lease?: () => LeaseStatus;
  log: Logger;
  /** `meta.dt` of the last counted event (stream lag). */
  lastEventDt?: () => string | undefined;
  /** One log line per request (config `access_log`). */
  accessLog?: boolean;
  /** When set, /metrics wants it as a bearer token (config `metrics_token`). */
  metricsToken?: string | undefined;
}

export function createApp(options: AppOptions) {
  const { store, users, log } = options;
  const limiter = new LoginLimiter({ maxFailures: options.loginMaxFailures, windowMs: options.loginWindowSeconds * 1000 });
  const clients = new ClientAddress(options.trustedProxies ?? []);
  const startedAt = Date.now();
  const statsCache = new StatsCache(store);
  const tokens = new TokenCache();
  const lastEventDt = options.lastEventDt ?? (() => undefined);
  const metrics = new Metrics({ ingest: options.ingest, stream: options.stream, lastEventDt, store, lease: options.lease });
  store.observeFlushes?.(metrics.observeFlush);
  // Access lines are written at info: below that level, not even the client address is looked up.
  const observer = new RequestObserver({ metrics, log, accessLog: (options.accessLog ?? false) && log.enabled("info") });
  const history = new EventHistory(() => options.ingest.counted);
  history.start();
  const verifyUser = async (username: string, password: string) => {
    try {
      return await users.verify(username, password);
    } catch (error) {
      log.error("user directory unavailable", { error });
      throw new ServiceUnavailableError("the user directory is unavailable; retry shortly");
    }
  };

  const errors = new ErrorAnswers(log);
  const jwtPlugin = jwt({ name: "jwt", secret: options.jwtSecret, alg: "HS256" });
  const verifier = jwtPlugin.decorator.jwt;
  const statsRoute = new StatsRoute({
    cache: statsCache, authorize, observer,
    knownToken: (request) => {
      const header = request.headers.get("authorization");
      return header !== null && tokens.has(header);
    },
    errorAnswer: (error, request) => errors.answer("UNKNOWN", error, request),
  });

  // normalize: false, so a body with extra fields is rejected (LoginBody forbids them) instead of silently trimmed.
  const app = new Elysia({ normalize: false })
    .use(observer.plugin())
    .use(swagger({
      path: "/swagger",
      documentation: {
        info: { title: SERVICE_NAME, version: VERSION, description: "Statistics of Wikimedia's recentchange stream." },
        components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
      },
    }))
    .use(swaggerPage())
    .use(jwtPlugin)
    .error({ HttpError })
    .onError(({ code, error, request, route }) => {
      const response = errors.answer(code, error, request);
      observer.error(request, route, response.status);
      return response;
    })
    .onStop(() => history.stop())
    .get("/status", () => ({ status: "ok" as const }), {
      response: { 200: StatusSchema, ...errorAnswers(405) },
      detail: { summary: "Liveness: the process answers", description: "Always 200 while the process runs; for liveness probes.", tags: ["operations"] },
    })
    .get("/ready", ({ set }) => {
      const health = store.health();
      if (health.ready) return { ready: true };
      set.status = 503;
      return { ready: false, reason: health.lastError ?? `${store.kind} store not connected yet` };
    }, {
      response: { 200: ReadySchema, 503: ReadySchema, ...errorAnswers(405) },
      detail: {
        summary: "Readiness: the store is connected",
        description: "200 once the store is connected and writing; 503 with the reason otherwise (Cassandra unreachable, flushes failing).",
        tags: ["operations"],
      },
    })
    .get("/health", () => {
      const s = store.health();
      const stream = options.stream();
      return {
        status: s.ready && stream.lastError === undefined ? "ok" as const : "degraded" as const,
        uptime_s: Math.round((Date.now() - startedAt) / 1000),
        store: { kind: store.kind, ready: s.ready, pending_events: s.pendingEvents, ...opt("last_error", s.lastError) },
        stream: {
          state: stream.state,
          source: stream.source,
          connections: stream.connections,
          ...opt("last_event_at", stream.lastEventAt),
          ...opt("last_error", stream.lastError),
          ...opt("retry_in_ms", stream.retryInMs),
        },
        ingest: { ...options.ingest },
        ...(options.lease ? { lease: options.lease() } : {}),
      };
    }, {
      response: { 200: HealthSchema, ...errorAnswers(405) },
      detail: {
        summary: "Stream, store and ingest details for operators",
        description: "Unauthenticated. `ingest` tallies every stream event by outcome; only `counted` events reach /stats.",
        tags: ["operations"],
      },
    })
    .post("/login", async ({ body, jwt, request, server }) => {
      const client = clients.of(server?.requestIP(request)?.address, request.headers.get("x-forwarded-for"));
      const attempt = limiter.begin(client, body.username);
      if (attempt.retryAfterMs > 0) throw new TooManyRequestsError(attempt.retryAfterMs);
      if (attempt.delayMs > 0) await Bun.sleep(attempt.delayMs);
      const ok = await verifyUser(body.username, body.password).catch((error: unknown) => {
        attempt.abandoned();
        throw error;
      });
      if (!ok) {
        log.warn("login failed", { username: body.username, client, ...opt("delayed_ms", attempt.delayMs || undefined) });
        throw new InvalidCredentialsError();
      }
      attempt.succeeded();
      const exp = Math.floor(Date.now() / 1000) + options.tokenTtlSeconds;
      const token = await jwt.sign({ sub: body.username, exp });
      return { token, token_type: "Bearer" as const, expires_in: options.tokenTtlSeconds };
    }, {
      body: LoginBody,
      // readJsonBody parses (JSON only, bounded in size and depth) and always answers; "json" is never
      // reached and is there so the OpenAPI document lists application/json as the one content type.
      parse: [({ request }) => readJsonBody(request), "json"],
      response: { 200: TokenSchema, ...errorAnswers(400, 401, 405, 413, 429, 503) },
      detail: {
        summary: "Exchange credentials for a bearer token",
        description: "JSON body only. 401 for a wrong password or an unknown user alike; 429 with Retry-After after too many failures per client or username; 503 with Retry-After while the user table (Cassandra) is unreachable.",
        tags: ["auth"],
      },
    })
    // Served by Bun's router (statsRoute.native, installed below); this route documents it, and answers
    // HEAD and app.handle. `request.headers` rather than Elysia's `headers`, which copies every header.
    .get("/stats", ({ request }) => statsRoute.answer(request), {
      response: { 200: StatsSchema, ...errorAnswers(401, 405) },
      detail: {
        summary: "Totals since counting began",
        description: "Answers carry an ETag; send it back in If-None-Match to get 304 Not Modified while the totals are unchanged.",
        tags: ["stats"], security: [{ bearerAuth: [] }],
      },
    })
    .get("/stats/history", async ({ request }) => {
      await authorize(request);
      const stream = options.stream();
      const s = store.health();
      const lag = lagSeconds(lastEventDt(), Date.now());
      return {
        ...history.series(),
        stream: { state: stream.state, ...opt("lag_s", lag === undefined ? undefined : Math.round(lag * 10) / 10) },
        store: { kind: store.kind, ready: s.ready, pending_events: s.pendingEvents },
      };
    }, {
      response: { 200: HistorySchema, ...errorAnswers(401, 405) },
      detail: {
        summary: "Counted events per second over the last 10 minutes, with stream and store state",
        description: "The dashboard's live series: one point per second, kept in a ring buffer in memory (this process only).",
        tags: ["stats"], security: [{ bearerAuth: [] }],
      },
    })
    .use(metricsRoute(metrics, options.metricsToken))
    .use(dashboardRoutes());
  errors.allow(app.routes);
  // Bun.serve's routes take precedence over Elysia's own compiled ones for the same path and method.
  app.config.serve = { ...app.config.serve, routes: { ...app.config.serve?.routes, "/stats": { GET: statsRoute.native } } };
  return app;

  /** Throws 401 unless the request carries a valid bearer token; verified tokens are cached until they expire. */
  async function authorize(request: Request): Promise<void> {
    const header = request.headers.get("authorization") ?? undefined;
    if (header !== undefined && tokens.has(header)) return;
    const token = bearerToken(header);
    const claims = await verifier.verify(token, { algorithms: ["HS256"], requiredClaims: ["sub", "exp", "iat"] });
    if (claims === false) throw new UnauthorizedError("token is invalid or expired", "invalid_token");
    // Keyed by the header as sent: a poller's next request is known by one lookup, without parsing it.
    tokens.add(header!, claims.exp!);
  }
}

export type App = ReturnType<typeof createApp>;

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// The HTTP API: routes, authentication, OpenAPI docs, and the one place errors become responses.
import { jwt } from "@elysiajs/jwt";
import { swagger } from "@elysiajs/swagger";
import { Elysia } from "elysia";
import { LoginLimiter } from "../auth/login-limiter.ts";
import type { UserDirectory } from "../auth/users.ts";
import type { LeaseStatus } from "../lease/ingest-lease.ts";
import type { Logger } from "../log/logger.ts";
import type { StatsStore } from "../store/stats-store.ts";
import type { IngestCounters, StreamStatus } from "../stream/index.ts";
import { SERVICE_NAME, VERSION } from "../version.ts";
import { bearerToken } from "./bearer.ts";
import {
  HttpError, InvalidCredentialsError, ServiceUnavailableError, TooManyRequestsError, UnauthorizedError, type ErrorBody,
} from "./errors.ts";
import { StatsCache } from "./stats-cache.ts";
import { TokenCache } from "./token-cache.ts";
import {
  ErrorSchema, HealthSchema, LoginBody, ReadySchema, StatsSchema, StatusSchema, TokenSchema,
} from "./schemas.ts";

export interface AppOptions {
  jwtSecret: string;
  tokenTtlSeconds: number;
  loginMaxFailures: number;
  loginWindowSeconds: number;
  store: StatsStore;
  users: UserDirectory;
  stream: () => StreamStatus;
  ingest: IngestCounters;
  /** The ingest lease, when this instance competes for it (Cassandra with ingest on). */
  lease?: () => LeaseStatus;
  log: Logger;
}

const errorResponses = { 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema };

export function createApp(options: AppOptions) {
  const { store, users, log } = options;
  const limiter = new LoginLimiter({ maxFailures: options.loginMaxFailures, windowMs: options.loginWindowSeconds * 1000 });
  const startedAt = Date.now();
  const statsCache = new StatsCache(store);
  const tokens = new TokenCache();
  const verifyUser = async (username: string, password: string) => {
    try {
      return await users.verify(username, password);
    } catch (error) {
      log.error("user directory unavailable", { error });
      throw new ServiceUnavailableError("the user directory is unavailable; retry shortly");
    }
  };

  // normalize: false, so a body with extra fields is rejected (LoginBody forbids them) instead of silently trimmed.
  return new Elysia({ normalize: false })
    .use(swagger({
      path: "/swagger",
      documentation: {
        info: { title: SERVICE_NAME, version: VERSION, description: "Statistics of Wikimedia's recentchange stream." },
        components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
      },
    }))
    .use(jwt({ name: "jwt", secret: options.jwtSecret, alg: "HS256" }))
    .error({ HttpError })
    .onError(({ code, error, request }) => {
      if (error instanceof HttpError) return errorResponse(error.status, error.code, error.message, error.headers);
      switch (code) {
        case "VALIDATION":
          return errorResponse(400, "invalid_request", validationSummary(error));
        case "PARSE":
          return errorResponse(400, "invalid_body", "the request body could not be parsed as the declared content type");
        case "NOT_FOUND":
          return errorResponse(404, "not_found", `no route for ${request.method} ${new URL(request.url).pathname}`);
        default:
          log.error("request failed", { method: request.method, url: request.url, code, error });
          return errorResponse(500, "internal_error", "internal error");
      }
    })
    .get("/status", () => ({ status: "ok" as const }), {
      response: { 200: StatusSchema },
      detail: { summary: "Liveness: the process answers", tags: ["operations"] },
    })
    .get("/ready", ({ set }) => {
      const health = store.health();
      if (health.ready) return { ready: true };
      set.status = 503;
      return { ready: false, reason: health.lastError ?? `${store.kind} store not connected yet` };
    }, {
      response: { 200: ReadySchema, 503: ReadySchema },
      detail: { summary: "Readiness: the store is connected", tags: ["operations"] },
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
      response: { 200: HealthSchema },
      detail: { summary: "Stream, store and ingest details for operators", tags: ["operations"] },
    })
    .post("/login", async ({ body, jwt, request, server }) => {
      const client = server?.requestIP(request)?.address ?? "unknown";
      const keys = [`ip:${client}`, `user:${body.username.toLowerCase()}`];
      const wait = limiter.blockedFor(keys);
      if (wait > 0) throw new TooManyRequestsError(wait);
      // Counted before the slow check, so attempts sent at once cannot all get past blockedFor.
      limiter.recordFailure(keys);
      const ok = await verifyUser(body.username, body.password).catch((error: unknown) => {
        limiter.forgive(keys);
        throw error;
      });
      if (!ok) {
        log.warn("login failed", { username: body.username, client });
        throw new InvalidCredentialsError();
      }
      limiter.forgive([keys[0]!]);
      limiter.reset(keys[1]!);
      const exp = Math.floor(Date.now() / 1000) + options.tokenTtlSeconds;
      const token = await jwt.sign({ sub: body.username, exp });
      return { token, token_type: "Bearer" as const, expires_in: options.tokenTtlSeconds };
    }, {
      body: LoginBody,
      // Documents (and parses) JSON only; beforeHandle turns other content types away with a 400.
      parse: "json",
      beforeHandle: ({ request }) => {
        if (!/^application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "")) {
          throw new HttpError(400, "invalid_body", "the request body must be JSON (Content-Type: application/json)");
        }
      },
      response: { 200: TokenSchema, ...errorResponses, 503: ErrorSchema },
      detail: { summary: "Exchange credentials for a bearer token", tags: ["auth"] },
    })
    // `request.headers` rather than Elysia's `headers`, which copies every header per request.
    .get("/stats", async ({ request, jwt }) => {
      const token = bearerToken(request.headers.get("authorization") ?? undefined);
      if (!tokens.has(token)) {
        const claims = await jwt.verify(token, { algorithms: ["HS256"], requiredClaims: ["sub", "exp", "iat"] });
        if (claims === false) throw new UnauthorizedError("token is invalid or expired", "invalid_token");
        tokens.add(token, claims.exp!);
      }
      // Already serialised: skips per-request validation and stringification of a ~1000-key object.
      return new Response(await statsCache.body(), { headers: { "Content-Type": "application/json" } });
    }, {
      response: { 200: StatsSchema, 401: ErrorSchema },
      detail: { summary: "Totals since counting began", tags: ["stats"], security: [{ bearerAuth: [] }] },
    });
}

export type App = ReturnType<typeof createApp>;

function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  const body: ErrorBody = { error: code, message };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/** The first validation problem, by field, without echoing the submitted value (it may be a password). */
function validationSummary(error: unknown): string {
  const first = (error as { all?: { path?: string; message?: string }[] }).all?.[0];
  if (!first) return "the request is invalid";
  const field = first.path ? first.path.replace(/^\//, "").replaceAll("/", ".") : "body";
  return `${field || "body"}: ${first.message ?? "invalid"}`;
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

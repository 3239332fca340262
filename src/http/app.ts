// The HTTP API: its route groups wired to the service, with OpenAPI docs, request metrics and the one error mapping.
import { rangedStats, windowRoutes } from "./window-routes.ts";
import { swagger } from "@elysiajs/swagger";
import { Elysia } from "elysia";
import type { UserDirectory } from "../auth/users.ts";
import { EventHistory } from "../dashboard/history.ts";
import type { LeaseStatus } from "../lease/ingest-lease.ts";
import type { Logger } from "../log/logger.ts";
import { Metrics } from "../metrics/metrics.ts";
import { RequestObserver } from "../metrics/request-observer.ts";
import type { StatsStore } from "../store/stats-store.ts";
import type { IngestCounters, StreamStatus } from "../stream/index.ts";
import { SERVICE_NAME, VERSION } from "../version.ts";
import { BearerAuth } from "./bearer-auth.ts";
import { dashboardRoutes } from "./dashboard-routes.ts";
import { ErrorAnswers } from "./error-answers.ts";
import { HttpError } from "./errors.ts";
import { loginRoute } from "./login-route.ts";
import { metricsRoute } from "./metrics-route.ts";
import { operationsRoutes } from "./operations-routes.ts";
import { StatsCache } from "./stats-cache.ts";
import { StatsRoute } from "./stats-route.ts";
import { statsRoutes } from "./stats-routes.ts";
import { swaggerPage } from "./swagger-page.ts";

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
  const { store, users, log, stream } = options;
  const auth = new BearerAuth(options.jwtSecret, options.tokenTtlSeconds);
  const errors = new ErrorAnswers(log);
  const lastEventDt = options.lastEventDt ?? (() => undefined);
  const metrics = new Metrics({ ingest: options.ingest, stream, lastEventDt, store, lease: options.lease });
  store.observeFlushes?.(metrics.observeFlush);
  // Access lines are written at info: below that level, not even the client address is looked up.
  const observer = new RequestObserver({ metrics, log, accessLog: (options.accessLog ?? false) && log.enabled("info") });
  const history = new EventHistory(() => options.ingest.counted);
  history.start();
  const stats = new StatsRoute({
    cache: new StatsCache(store),
    authorize: auth.authorize,
    observer,
    knownToken: (request) => auth.knows(request),
    errorAnswer: (error, request) => errors.answer("UNKNOWN", error, request),
    ranged: (request) => rangedStats(store, request),
  });

  // normalize: false, so a body with extra fields is rejected (LoginBody forbids them) instead of silently trimmed.
  const app = new Elysia({ normalize: false })
    .use(observer.plugin())
    .use(
      swagger({
        path: "/swagger",
        documentation: {
          info: { title: SERVICE_NAME, version: VERSION, description: "Statistics of Wikimedia's recentchange stream." },
          components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
        },
      }),
    )
    .use(swaggerPage())
    .error({ HttpError })
    .onError(({ code, error, request, route }) => {
      const response = errors.answer(code, error, request);
      observer.error(request, route, response.status);
      return response;
    })
    .onStop(() => history.stop())
    .use(operationsRoutes({ store, stream, ingest: options.ingest, lease: options.lease }))
    .use(
      loginRoute({
        users,
        auth,
        log,
        maxFailures: options.loginMaxFailures,
        windowSeconds: options.loginWindowSeconds,
        trustedProxies: options.trustedProxies ?? [],
      }),
    )
    .use(statsRoutes({ stats, auth, history, store, stream, lastEventDt }))
    .use(windowRoutes(store, auth))
    .use(metricsRoute(metrics, options.metricsToken))
    .use(dashboardRoutes());
  errors.allow(app.routes);
  // Bun.serve's routes take precedence over Elysia's own compiled ones for the same path and method.
  app.config.serve = { ...app.config.serve, routes: { ...app.config.serve?.routes, "/stats": { GET: stats.native } } };
  return app;
}

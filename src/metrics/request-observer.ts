// Per-request bookkeeping after the answer is sent: HTTP metrics, login outcomes and the access log.
import { Elysia } from "elysia";
import type { Logger } from "../log/logger.ts";
import type { LoginResult, Metrics } from "./metrics.ts";

export interface RequestObserverOptions {
  metrics: Metrics;
  log: Logger;
  accessLog: boolean;
}

/** The login outcome a /login answer stands for (the status is the one place all outcomes meet). */
export function loginResult(status: number): LoginResult {
  if (status === 200) return "success";
  if (status === 401) return "invalid_credentials";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "unavailable";
  return "bad_request";
}

/**
 * Must be used before the routes it observes. The status comes from a returned Response, else from
 * `set.status` (which the app's onError sets to the status of the error answer it builds).
 */
export function requestObserver({ metrics, log, accessLog }: RequestObserverOptions) {
  const started = new WeakMap<Request, { at: number; client: string | undefined }>();
  return new Elysia({ name: "request-observer" })
    // The peer address is only known while the request is open, so it is read here.
    .onRequest(({ request, server }) => {
      started.set(request, { at: performance.now(), client: accessLog ? server?.requestIP(request)?.address : undefined });
    })
    .onAfterResponse({ as: "global" }, (ctx) => {
      const { request, set } = ctx;
      const response = (ctx as { response?: unknown }).response;
      const status = response instanceof Response ? response.status : typeof set.status === "number" ? set.status : 200;
      // A request no route matched has no template; its raw path must not become a label value.
      const route = (ctx as { route?: string }).route || "unmatched";
      const start = started.get(request);
      const seconds = start === undefined ? 0 : (performance.now() - start.at) / 1000;
      metrics.observeRequest(request.method, route, status, seconds);
      if (route === "/login" && request.method === "POST") metrics.observeLogin(loginResult(status));
      if (accessLog) {
        log.info("request", {
          method: request.method, route, status, duration_ms: Math.round(seconds * 1e5) / 100,
          client: start?.client ?? "unknown",
        });
      }
    });
}

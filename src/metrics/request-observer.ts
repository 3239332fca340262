// Per-request bookkeeping as each answer leaves: HTTP metrics, login outcomes and the access log.
import { Elysia } from "elysia";
import type { Logger } from "../log/logger.ts";
import type { Metrics } from "./metrics.ts";
import type { LoginResult } from "./tallies.ts";

interface RequestObserverOptions {
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

const START = Symbol("request start");

/** What stamp() and begin() need of Bun's server: the peer address. */
export type PeerServer = { requestIP(request: Request): { address: string } | null } | null | undefined;

/** When a request came in, and from where (for the access log). */
export interface Start {
  at: number;
  client: string | undefined;
}

/** Through Elysia's hooks, the start is kept on the request itself: the one object every hook of a request sees. */
interface Stamped extends Request {
  [START]?: Start;
}

/**
 * Observes handlers' answers in `onAfterHandle`, the cheapest hook that sees them; error answers are
 * reported by the app's onError, the one place errors become responses. (`onAfterResponse` would see
 * both, but costs each request more than answering /stats does.)
 */
export class RequestObserver {
  constructor(private readonly options: RequestObserverOptions) {}

  /** Use before the routes it observes. */
  plugin() {
    return (
      new Elysia({ name: "request-observer" })
        // Hooks destructure what they use: Elysia compiles every route to compute only what its hooks
        // read, and a hook taking the whole context makes it compute everything for every request.
        // The peer address is read while the request is open.
        .onRequest(({ request, server }) => this.stamp(request, server))
        .onAfterHandle({ as: "global" }, ({ request, route, set, responseValue }) => {
          const status = responseValue instanceof Response ? responseValue.status : typeof set.status === "number" ? set.status : 200;
          this.record(request, route, status);
        })
    );
  }

  /** The request's start (and, for the access log, its peer address, read while the request is open). */
  begin(request: Request, server: PeerServer): Start {
    return { at: performance.now(), client: this.options.accessLog ? server?.requestIP(request)?.address : undefined };
  }

  /** begin(), kept on the request for record() to find. */
  stamp(request: Request, server: PeerServer): void {
    (request as Stamped)[START] = this.begin(request, server);
  }

  /** An error answer, from the app's onError; `route` is empty when no route matched (404, 405). */
  error(request: Request, route: string | undefined, status: number): void {
    this.record(request, route || "unmatched", status);
  }

  /**
   * The answer to a request: from the hooks, with the start stamp() kept, and from routes served
   * outside Elysia with the start begin() gave them (see stats-route.ts). `route` is the route
   * template, never the raw path, so label values stay few.
   */
  record(request: Stamped, route: string, status: number, start: Start | undefined = request[START]): void {
    const seconds = start === undefined ? 0 : (performance.now() - start.at) / 1000;
    this.options.metrics.observeRequest(request.method, route, status, seconds);
    if (route === "/login" && request.method === "POST") this.options.metrics.observeLogin(loginResult(status));
    if (this.options.accessLog) {
      this.options.log.info("request", {
        method: request.method,
        route,
        status,
        duration_ms: Math.round(seconds * 1e5) / 100,
        client: start?.client ?? "unknown",
      });
    }
  }
}

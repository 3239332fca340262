// GET /stats: the totals, compressed once per change and tagged, answered by Bun's router itself.
import type { RequestObserver } from "../metrics/request-observer.ts";
import { codedEtag, isCurrent, negotiate } from "./content-coding.ts";
import type { StatsCache } from "./stats-cache.ts";

export interface StatsRouteOptions {
  cache: StatsCache;
  /** Throws an HttpError (401) unless the request carries a valid bearer token. */
  authorize: (request: Request) => Promise<void>;
  observer: RequestObserver;
  /** The app's one mapping of errors to answers. */
  errorAnswer: (error: unknown, request: Request) => Response;
}

type PeerServer = Parameters<RequestObserver["stamp"]>[1];

export class StatsRoute {
  constructor(private readonly options: StatsRouteOptions) {}

  /** The answer, for Elysia's /stats route (app.handle, HEAD) and for native(). Throws on a bad token. */
  readonly answer = async (request: Request): Promise<Response> => {
    await this.options.authorize(request);
    // Already serialised: skips per-request validation and stringification of a ~1000-key object.
    const { body, etag } = await this.options.cache.answer();
    // Compressed once per change of the totals (EncodedBody), never per request.
    const coding = negotiate(request.headers.get("accept-encoding"));
    const tag = codedEtag(etag, coding);
    if (isCurrent(request.headers.get("if-none-match"), etag)) {
      return new Response(null, { status: 304, headers: { ETag: tag, Vary: "Accept-Encoding" } });
    }
    const headers: Record<string, string> = { "Content-Type": "application/json", ETag: tag, Vary: "Accept-Encoding" };
    if (coding !== undefined) headers["Content-Encoding"] = coding;
    return new Response(body.get(coding), { headers });
  };

  /**
   * GET /stats for Bun.serve's `routes`, bypassing Elysia's per-request context and hooks (about half
   * the cost of an answer): the same answer, with the bookkeeping those hooks do for other routes.
   */
  readonly native = async (request: Request, server: PeerServer): Promise<Response> => {
    const { observer, errorAnswer } = this.options;
    observer.stamp(request, server);
    let response: Response;
    try {
      response = await this.answer(request);
    } catch (error) {
      response = errorAnswer(error, request);
    }
    observer.answered(request, "/stats", response.status);
    return response;
  };
}

// GET /stats: the totals, compressed once per change and tagged, answered by Bun's router itself.
import type { PeerServer, RequestObserver, Start } from "../metrics/request-observer.ts";
import { codedEtag, isCurrent, Negotiator, type Coding } from "./content-coding.ts";
import type { StatsAnswer, StatsCache } from "./stats-cache.ts";

interface StatsRouteOptions {
  cache: StatsCache;
  /** Whether the request's Authorization header verified before and has not expired (no waiting, no throwing). */
  knownToken: (request: Request) => boolean;
  /** Throws an HttpError (401) unless the request carries a valid bearer token. */
  authorize: (request: Request) => Promise<void>;
  observer: RequestObserver;
  /** The app's one mapping of errors to answers. */
  errorAnswer: (error: unknown, request: Request) => Response;
  /** The answer to a query string naming a range of event time; undefined when it names none. */
  ranged: (request: Request) => Promise<Response | undefined>;
}

export class StatsRoute {
  private readonly negotiator = new Negotiator();
  /** The answer whose representations are kept, and those made so far, by coding. */
  private built: StatsAnswer | undefined;
  private readonly representations = new Map<Coding | undefined, Representation>();

  constructor(private readonly options: StatsRouteOptions) {}

  /** The answer, for Elysia's /stats route (app.handle, HEAD) and for native()'s slow path. Throws on a bad token. */
  readonly answer = async (request: Request): Promise<Response> => {
    await this.options.authorize(request);
    if (request.url.includes("?")) {
      const ranged = await this.options.ranged(request);
      if (ranged !== undefined) return ranged;
    }
    return this.respond(request, await this.options.cache.answer());
  };

  /**
   * GET /stats for Bun.serve's `routes`, bypassing Elysia's per-request context and hooks, with the
   * bookkeeping those hooks do for other routes. A known token and a current answer, the usual case
   * for a poller, are answered without a Promise: Bun serves a Response returned directly at a
   * markedly higher rate than one behind even a single await.
   */
  readonly native = (request: Request, server: PeerServer): Response | Promise<Response> => {
    const { observer, errorAnswer, knownToken, cache } = this.options;
    const start = observer.begin(request, server);
    try {
      // A query string may name a range: that answer is not the cached totals.
      const current = knownToken(request) && !request.url.includes("?") ? cache.current() : undefined;
      if (current !== undefined) return this.done(request, this.respond(request, current), start);
    } catch (error) {
      return this.done(request, errorAnswer(error, request), start);
    }
    return this.answer(request).then(
      (response) => this.done(request, response, start),
      (error: unknown) => this.done(request, errorAnswer(error, request), start),
    );
  };

  private done(request: Request, response: Response, start: Start): Response {
    this.options.observer.record(request, "/stats", response.status, start);
    return response;
  }

  private respond(request: Request, answer: StatsAnswer): Response {
    const coding = this.negotiator.coding(request.headers.get("accept-encoding"));
    const { body, headers, notModified } = this.representation(answer, coding);
    if (isCurrent(request.headers.get("if-none-match"), answer.etag)) return new Response(null, { status: 304, headers: notModified });
    return new Response(body, { headers });
  }

  /**
   * One coding of an answer with its headers, built once per change of the totals, not per request:
   * the body is compressed once (EncodedBody), and Bun makes a Response from a ready Headers object
   * faster than from a plain object it has to convert.
   */
  private representation(answer: StatsAnswer, coding: Coding | undefined): Representation {
    if (answer !== this.built) {
      this.built = answer;
      this.representations.clear();
    }
    let found = this.representations.get(coding);
    if (found === undefined) {
      const ETag = codedEtag(answer.etag, coding);
      const headers = new Headers({ "Content-Type": "application/json", ETag, Vary: "Accept-Encoding" });
      if (coding !== undefined) headers.set("Content-Encoding", coding);
      found = { body: answer.body.get(coding), headers, notModified: new Headers({ ETag, Vary: "Accept-Encoding" }) };
      this.representations.set(coding, found);
    }
    return found;
  }
}

interface Representation {
  body: Uint8Array;
  headers: Headers;
  /** For 304 Not Modified: the tag, and Vary, as RFC 9110 §15.4.5 asks. */
  notModified: Headers;
}

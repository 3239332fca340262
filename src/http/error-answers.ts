// The one place errors become answers: an HttpError as itself, Elysia's validation, parse and routing
// errors as 400, 404, 405 or 413, and anything else as a logged 500 that tells the client nothing more.
import type { Logger } from "../log/logger.ts";
import { QueryError } from "../windows/ranges.ts";
import { HttpError, MethodNotAllowedError, PayloadTooLargeError, type ErrorBody } from "./errors.ts";
import { declaresTooLarge, MAX_BODY_BYTES } from "./json-body.ts";

export class ErrorAnswers {
  /** Methods served per path, for 405's Allow header. */
  private readonly allowed = new Map<string, string>();

  constructor(private readonly log: Logger) {}

  /** Learns the methods each path serves, from the app's routes once they are all defined. */
  allow(routes: readonly { path: string; method: string }[]): void {
    for (const [path, methods] of Map.groupBy(routes, (route) => route.path)) {
      const names = methods.map((route) => route.method);
      // Elysia answers HEAD for every GET route.
      this.allowed.set(path, [...new Set(names.includes("GET") ? [...names, "HEAD"] : names)].join(", "));
    }
  }

  /** The answer to `error`; `code` is Elysia's name for it, or "UNKNOWN" outside Elysia. */
  answer(code: string | number, error: unknown, request: Request): Response {
    // Elysia wraps whatever a parse hook throws in a ParseError; readJsonBody's 400s and 413s are inside.
    const cause = (error as { cause?: unknown }).cause;
    const known = error instanceof HttpError ? error : code === "PARSE" && cause instanceof HttpError ? cause : undefined;
    if (known) return httpErrorResponse(known);
    if (error instanceof QueryError) return errorResponse(400, "invalid_parameter", error.message);
    switch (code) {
      case "VALIDATION":
        return errorResponse(400, "invalid_request", validationSummary(error));
      case "PARSE":
        return errorResponse(400, "invalid_body", "the request body could not be parsed as the declared content type");
      case "NOT_FOUND": {
        // Nothing reads this body (Bun discards it); a client sending a large one is still told so.
        if (declaresTooLarge(request)) return httpErrorResponse(new PayloadTooLargeError(MAX_BODY_BYTES));
        const path = new URL(request.url).pathname;
        const allow = this.allowed.get(path);
        if (allow) return httpErrorResponse(new MethodNotAllowedError(request.method, path, allow));
        return errorResponse(404, "not_found", `no route for ${request.method} ${path}`);
      }
      default:
        this.log.error("request failed", { method: request.method, url: request.url, code, error });
        return errorResponse(500, "internal_error", "internal error");
    }
  }
}

function httpErrorResponse(error: HttpError): Response {
  return errorResponse(error.status, error.code, error.message, error.headers);
}

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

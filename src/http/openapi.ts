// OpenAPI documentation of the error answers: one described, exemplified schema per status.
import { t } from "elysia";

const ERRORS = {
  400: ["the request is malformed", "invalid_request", "username: Expected string length greater or equal to 1"],
  401: ["authentication failed", "invalid_token", "token is invalid or expired"],
  405: ["the route exists, but not for this method", "method_not_allowed", "GET /login is not allowed; use POST"],
  413: ["the request body is too large", "payload_too_large", "the request body exceeds the limit"],
  429: ["too many failed logins; see Retry-After", "too_many_requests", "too many failed logins; retry in 60 s"],
  501: ["this store keeps no time windows (storage: cassandra, for now)", "not_implemented", "time windows need storage: in-memory"],
  503: ["a backend (Cassandra) cannot be reached; see Retry-After", "unavailable", "the user directory is unavailable; retry shortly"],
} as const;

type ErrorStatus = keyof typeof ERRORS;

/** Response schemas for the given error statuses, for a route's `response` option. */
export function errorAnswers<S extends ErrorStatus>(...statuses: S[]) {
  const answers = {} as Record<S, ReturnType<typeof errorSchema>>;
  for (const status of statuses) answers[status] = errorSchema(status);
  return answers;
}

function errorSchema(status: ErrorStatus) {
  const [description, error, message] = ERRORS[status];
  // Examples on the properties: @elysiajs/swagger lifts an object's own options out of its schema.
  return t.Object(
    { error: t.String({ description: "Machine-readable code", example: error }), message: t.String({ example: message }) },
    { description: `${status}: ${description}` },
  );
}

// The API's error classes; error-answers.ts maps them to JSON responses in one place.

export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** 401 with the RFC 6750 challenge, so clients know a bearer token is expected and why it failed. */
export class UnauthorizedError extends HttpError {
  override name = "UnauthorizedError";
  constructor(message: string, bearerError?: "invalid_token" | "invalid_request") {
    const challenge = bearerError
      ? `Bearer realm="wikitally", error="${bearerError}", error_description="${message}"`
      : `Bearer realm="wikitally"`;
    super(401, bearerError ?? "unauthorized", message, { "WWW-Authenticate": challenge });
  }
}

export class InvalidCredentialsError extends HttpError {
  override name = "InvalidCredentialsError";
  constructor() {
    super(401, "invalid_credentials", "invalid username or password");
  }
}

export class TooManyRequestsError extends HttpError {
  override name = "TooManyRequestsError";
  constructor(retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(429, "too_many_requests", `too many failed logins; retry in ${seconds} s`, { "Retry-After": String(seconds) });
  }
}

/** A backend the request needs (the user directory's database) cannot be reached right now. */
export class ServiceUnavailableError extends HttpError {
  override name = "ServiceUnavailableError";
  constructor(message: string, retryAfterSeconds = 5) {
    super(503, "unavailable", message, { "Retry-After": String(retryAfterSeconds) });
  }
}

/** 413: the body is larger than any route accepts (checked on the declared length and while reading). */
export class PayloadTooLargeError extends HttpError {
  override name = "PayloadTooLargeError";
  constructor(maxBytes: number) {
    super(413, "payload_too_large", `the request body exceeds ${maxBytes} bytes`);
  }
}

/** 405 for a known path asked with a method it does not serve; `Allow` lists those it does. */
export class MethodNotAllowedError extends HttpError {
  override name = "MethodNotAllowedError";
  constructor(method: string, path: string, allow: string) {
    super(405, "method_not_allowed", `${method} is not allowed on ${path}; allowed: ${allow}`, { Allow: allow });
  }
}

/** The body of every error response. */
export interface ErrorBody {
  error: string;
  message: string;
}

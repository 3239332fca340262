// Reads the bearer token from an Authorization header (RFC 6750), strictly.
import { UnauthorizedError } from "./errors.ts";

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === "") throw new UnauthorizedError("missing bearer token");
  const match = BEARER.exec(header);
  if (!match) throw new UnauthorizedError("Authorization header must be 'Bearer <token>'", "invalid_request");
  return match[1]!;
}

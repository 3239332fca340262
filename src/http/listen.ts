// Opens the API's listening socket: one instance per port, and a clear error when that fails.
import type { AnyElysia } from "elysia";

/** Far above MAX_BODY_BYTES (json-body.ts), so the app's JSON 413 answers every body near the limit. */
const BODY_BACKSTOP_BYTES = 1024 * 1024;

/** The HTTP API could not listen; main logs the message as one line and exits 1. */
export class ListenError extends Error {
  override name = "ListenError";
  constructor(
    readonly host: string,
    readonly port: number,
    options: ErrorOptions,
  ) {
    super(`cannot listen on ${host}:${port}: ${reason(options.cause)}`, options);
  }
}

/** Listens on host:port and returns the port bound (the free one picked for port 0). */
export function listen(app: AnyElysia, host: string, port: number): number {
  try {
    // Elysia asks Bun for SO_REUSEPORT by default, with which a second instance on a busy port
    // also "listens" and the kernel splits requests (and, with Cassandra, the stream) between them.
    // Bodies over MAX_BODY_BYTES get a JSON 413 from the app without being read; Bun itself refuses
    // (a bare 413, connection closed) only bodies declared past this backstop, rather than draining them.
    // Elysia turns on Bun's development mode unless NODE_ENV is "production"; a service never wants
    // it (HTML error pages with source for anything that escapes the app's error handling).
    app.listen({ hostname: host, port, reusePort: false, maxRequestBodySize: BODY_BACKSTOP_BYTES, development: false });
  } catch (cause) {
    throw new ListenError(host, port, { cause });
  }
  return app.server?.port ?? port;
}

function reason(cause: unknown): string {
  switch ((cause as { code?: unknown } | undefined)?.code) {
    case "EADDRINUSE":
      return "the address is already in use (is another instance running?)";
    case "EACCES":
      return "permission denied (ports below 1024 need privileges)";
    case "EADDRNOTAVAIL":
      return "the host is not an address of this machine";
    default:
      return cause instanceof Error ? cause.message : String(cause);
  }
}

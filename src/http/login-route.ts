// POST /login: credentials for a bearer token, within the failure limits per client and username.
import { Elysia } from "elysia";
import { LoginLimiter } from "../auth/login-limiter.ts";
import type { UserDirectory } from "../auth/users.ts";
import type { Logger } from "../log/logger.ts";
import type { BearerAuth } from "./bearer-auth.ts";
import { ClientAddress } from "./client-address.ts";
import { InvalidCredentialsError, ServiceUnavailableError, TooManyRequestsError } from "./errors.ts";
import { readJsonBody } from "./json-body.ts";
import { errorAnswers } from "./openapi.ts";
import { opt } from "./optional-field.ts";
import { LoginBody, TokenSchema } from "./schemas.ts";

interface LoginRouteOptions {
  users: UserDirectory;
  auth: BearerAuth;
  log: Logger;
  maxFailures: number;
  windowSeconds: number;
  /** Proxies whose X-Forwarded-For names the client; the limits are kept per client address. */
  trustedProxies: readonly string[];
}

export function loginRoute({ users, auth, log, maxFailures, windowSeconds, trustedProxies }: LoginRouteOptions) {
  const limiter = new LoginLimiter({ maxFailures, windowMs: windowSeconds * 1000 });
  const clients = new ClientAddress(trustedProxies);
  const verifyUser = async (username: string, password: string) => {
    try {
      return await users.verify(username, password);
    } catch (error) {
      log.error("user directory unavailable", { error });
      throw new ServiceUnavailableError("the user directory is unavailable; retry shortly");
    }
  };

  return new Elysia({ name: "login-route" }).post(
    "/login",
    async ({ body, request, server }) => {
      const client = clients.of(server?.requestIP(request)?.address, request.headers.get("x-forwarded-for"));
      const attempt = limiter.begin(client, body.username);
      if (attempt.retryAfterMs > 0) throw new TooManyRequestsError(attempt.retryAfterMs);
      if (attempt.delayMs > 0) await Bun.sleep(attempt.delayMs);
      const ok = await verifyUser(body.username, body.password).catch((error: unknown) => {
        attempt.abandoned();
        throw error;
      });
      if (!ok) {
        log.warn("login failed", { username: body.username, client, ...opt("delayed_ms", attempt.delayMs || undefined) });
        throw new InvalidCredentialsError();
      }
      attempt.succeeded();
      return auth.issue(body.username);
    },
    {
      body: LoginBody,
      // readJsonBody parses (JSON only, bounded in size and depth) and always answers; "json" is never
      // reached and is there so the OpenAPI document lists application/json as the one content type.
      parse: [({ request }) => readJsonBody(request), "json"],
      response: { 200: TokenSchema, ...errorAnswers(400, 401, 405, 413, 429, 503) },
      detail: {
        summary: "Exchange credentials for a bearer token",
        description:
          "JSON body only. 401 for a wrong password or an unknown user alike; 429 with Retry-After after too many failures per client or username; 503 with Retry-After while the user table (Cassandra) is unreachable.",
        tags: ["auth"],
      },
    },
  );
}

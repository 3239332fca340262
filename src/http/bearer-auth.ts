// The API's bearer tokens: HS256 JWTs issued at login and checked on every protected request.
import { jwt } from "@elysiajs/jwt";
import { bearerToken } from "./bearer.ts";
import { UnauthorizedError } from "./errors.ts";
import { TokenCache } from "./token-cache.ts";

export class BearerAuth {
  private readonly jwt;
  private readonly verified = new TokenCache();

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.jwt = jwt({ name: "jwt", secret, alg: "HS256" }).decorator.jwt;
  }

  /** A token for `username`, valid for the configured time. */
  async issue(username: string) {
    const exp = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    const token = await this.jwt.sign({ sub: username, exp });
    return { token, token_type: "Bearer" as const, expires_in: this.ttlSeconds };
  }

  /** Whether the request's Authorization header verified before and has not expired: no waiting, no throwing. */
  knows(request: Request): boolean {
    const header = request.headers.get("authorization");
    return header !== null && this.verified.has(header);
  }

  /** Throws 401 unless the request carries a valid bearer token; verified tokens are cached until they expire. */
  readonly authorize = async (request: Request): Promise<void> => {
    const header = request.headers.get("authorization") ?? undefined;
    if (header !== undefined && this.verified.has(header)) return;
    const token = bearerToken(header);
    const claims = await this.jwt.verify(token, { algorithms: ["HS256"], requiredClaims: ["sub", "exp", "iat"] });
    if (claims === false) throw new UnauthorizedError("token is invalid or expired", "invalid_token");
    // Keyed by the header as sent: a poller's next request is known by one lookup, without parsing it.
    this.verified.add(header!, claims.exp!);
  };
}

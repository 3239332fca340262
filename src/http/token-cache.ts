// Remembers credentials that verified, until they expire, so a busy client does not pay HMAC per request.
import { BoundedCache } from "../cache/bounded-cache.ts";

export class TokenCache {
  /**
   * Credentials (the app keys by the whole Authorization header), each until its own expiry; beyond
   * maxEntries the oldest is forgotten (and verified again if it returns).
   */
  private readonly verified: BoundedCache<string, true>;

  constructor(maxEntries = 10_000, now = Date.now) {
    this.verified = new BoundedCache({ maxSize: maxEntries, now });
  }

  /** True when `token` verified before and has not expired since. */
  has(token: string): boolean {
    return this.verified.has(token);
  }

  /** Records a token that just verified, with its `exp` claim in seconds. */
  add(token: string, expSeconds: number): void {
    this.verified.set(token, true, expSeconds * 1000);
  }
}

// Remembers credentials that verified, until they expire, so a busy client does not pay HMAC per request.
import { BoundedMap } from "../bounded-map.ts";

export class TokenCache {
  /**
   * credential (the app keys by the whole Authorization header) → expiry in ms; beyond maxEntries the
   * oldest is forgotten (and verified again if it returns).
   */
  private readonly expiries: BoundedMap<string, number>;

  constructor(maxEntries = 10_000, private readonly now = Date.now) {
    this.expiries = new BoundedMap(maxEntries);
  }

  /** True when `token` verified before and has not expired since. */
  has(token: string): boolean {
    const expiry = this.expiries.get(token);
    if (expiry === undefined) return false;
    if (expiry > this.now()) return true;
    this.expiries.delete(token);
    return false;
  }

  /** Records a token that just verified, with its `exp` claim in seconds. */
  add(token: string, expSeconds: number): void {
    this.expiries.set(token, expSeconds * 1000);
  }
}

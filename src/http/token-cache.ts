// Remembers tokens that verified, until they expire, so a busy client does not pay HMAC per request.

export class TokenCache {
  /** token → expiry in ms; Map order is insertion order, so the first key is the oldest. */
  private readonly expiries = new Map<string, number>();

  constructor(private readonly maxEntries = 10_000, private readonly now = Date.now) {}

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
    if (this.expiries.size > this.maxEntries) this.expiries.delete(this.expiries.keys().next().value!);
  }
}

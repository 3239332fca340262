// Counts failed logins per client address and per username, and blocks both after too many.

export interface LimiterOptions {
  maxFailures: number;
  windowMs: number;
  /** Keys remembered at most; the oldest are forgotten first, so a flood cannot exhaust memory. */
  maxKeys?: number;
  now?: () => number;
}

interface Window {
  start: number;
  failures: number;
}

export class LoginLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: LimiterOptions) {}

  /** Milliseconds until any of `keys` may try again, or 0 when none is blocked. */
  blockedFor(keys: readonly string[]): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const window = this.live(key, now);
      if (window && window.failures >= this.options.maxFailures) {
        wait = Math.max(wait, window.start + this.options.windowMs - now);
      }
    }
    return wait;
  }

  recordFailure(keys: readonly string[]): void {
    const now = this.now();
    for (const key of keys) {
      const window = this.live(key, now) ?? { start: now, failures: 0 };
      window.failures++;
      this.windows.delete(key);
      this.windows.set(key, window);
    }
    const maxKeys = this.options.maxKeys ?? 100_000;
    for (const key of this.windows.keys()) {
      if (this.windows.size <= maxKeys) break;
      this.windows.delete(key);
    }
  }

  /** Takes back one failure per key, for an attempt counted in advance that then succeeded. */
  forgive(keys: readonly string[]): void {
    const now = this.now();
    for (const key of keys) {
      const window = this.live(key, now);
      if (window && --window.failures <= 0) this.windows.delete(key);
    }
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private live(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window && now - window.start >= this.options.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

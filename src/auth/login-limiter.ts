// Limits failed logins per client address and per (address, username), and slows down, rather than
// refuses, a username failing from many addresses: an attacker cannot lock the real user out.
import { BoundedCache } from "../cache/bounded-cache.ts";

export interface LimiterOptions {
  /** Failures allowed per (address, username) within windowMs; CLIENT_FACTOR times as many per address. */
  maxFailures: number;
  windowMs: number;
  /** Windows remembered at most; the least recently failed are forgotten first, so a flood cannot exhaust memory. */
  maxKeys?: number;
  now?: () => number;
}

/** Several people may share one address (an office behind NAT), so an address gets more failures than a pair. */
export const CLIENT_FACTOR = 4;
/** Delay once a username has maxFailures recent failures from anywhere; it doubles with each further one. */
export const FIRST_DELAY_MS = 100;
/** The delay never grows past this, so the real user still gets in, a little later, during an attack. */
export const MAX_DELAY_MS = 2000;

/** One login attempt, counted as a failure from the moment it begins. */
interface LoginAttempt {
  /** Above 0: refuse the attempt (429, Retry-After); it was not counted. */
  readonly retryAfterMs: number;
  /** How long to wait before checking the password. */
  readonly delayMs: number;
  /** The password was right: the attempt is not held against the client, and its count for this username is cleared. */
  succeeded(): void;
  /** The password could not be checked (user directory down): the attempt is not held against anyone. */
  abandoned(): void;
}

interface Window {
  start: number;
  failures: number;
}

const nothing = () => {};

export class LoginLimiter {
  /** Each window until it ends; re-set at each failure, so the least recently failed is forgotten first. */
  private readonly windows: BoundedCache<string, Window>;
  private readonly now: () => number;

  constructor(private readonly options: LimiterOptions) {
    this.now = options.now ?? Date.now;
    this.windows = new BoundedCache({ maxSize: options.maxKeys ?? 100_000, now: this.now });
  }

  begin(client: string, username: string): LoginAttempt {
    const now = this.now();
    const { maxFailures } = this.options;
    const name = username.toLowerCase();
    const clientKey = `client:${client}`;
    const pairKey = `pair:${client}\u0000${name}`;
    const userKey = `user:${name}`;
    const retryAfterMs = Math.max(this.blockedFor(clientKey, maxFailures * CLIENT_FACTOR, now), this.blockedFor(pairKey, maxFailures, now));
    if (retryAfterMs > 0) return { retryAfterMs, delayMs: 0, succeeded: nothing, abandoned: nothing };

    const userFailures = this.windows.get(userKey)?.failures ?? 0;
    const delayMs = userFailures < maxFailures ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (userFailures - maxFailures));
    // Counted before the slow check, so attempts sent at once cannot all get past the limits.
    for (const key of [clientKey, pairKey, userKey]) {
      const window = this.windows.get(key) ?? { start: now, failures: 0 };
      window.failures++;
      this.windows.set(key, window, window.start + this.options.windowMs);
    }
    return {
      retryAfterMs: 0,
      delayMs,
      succeeded: () => {
        this.forgive([clientKey, userKey]);
        this.windows.delete(pairKey);
      },
      abandoned: () => this.forgive([clientKey, pairKey, userKey]),
    };
  }

  /** Milliseconds until `key`'s window ends when it holds `limit` failures, else 0. */
  private blockedFor(key: string, limit: number, now: number): number {
    const window = this.windows.get(key);
    return window && window.failures >= limit ? window.start + this.options.windowMs - now : 0;
  }

  /** Takes back one failure per key, for an attempt counted in advance. */
  private forgive(keys: readonly string[]): void {
    for (const key of keys) {
      const window = this.windows.get(key);
      if (window && --window.failures <= 0) this.windows.delete(key);
    }
  }
}

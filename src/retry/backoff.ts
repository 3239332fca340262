// Reconnect delays: exponential backoff with jitter, and the server's Retry-After.

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  random?: () => number;
}

/**
 * "Equal jitter": half the exponential step is fixed, half random, so a fleet of clients that lost
 * the same server spreads out while each still waits at least half the step.
 */
export class Backoff {
  private attempt = 0;
  constructor(private readonly options: BackoffOptions) {}

  next(): number {
    const { minMs, maxMs, random = Math.random } = this.options;
    const step = Math.min(maxMs, minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(step / 2 + random() * (step / 2));
  }

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}

/** Parses Retry-After (delta-seconds or an HTTP date) into milliseconds; undefined if absent or invalid. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with a day name; Date.parse alone would take "1.5" or "-5" for dates.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

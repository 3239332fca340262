// The one retry loop: backoff with jitter between failures, a limit or a stop condition, a log hook.
import { Backoff, type BackoffOptions } from "./backoff.ts";
import { delay as abortableDelay } from "./delay.ts";
import type { Sleeper } from "./sleeper.ts";

export interface RetryPolicy {
  /** Delays between attempts (equal jitter, see Backoff). */
  backoff: BackoffOptions;
  /** Attempts in all, the first included; unlimited by default. */
  attempts?: number;
  /** Checked after each failure: true ends the loop with that failure (e.g. the service is stopping). */
  stop?: (attempt: number) => boolean;
  /** Told of each failure that will be retried. */
  onRetry?: (error: unknown, attempt: number, retryInMs: number) => void;
  /** Waits between attempts; a Sleeper lets shutdown cut the wait short. (Deprecated: use signal.) */
  sleeper?: Sleeper;
  /** Aborted when the owner stops: the wait ends at once and the last failure is rethrown. */
  signal?: AbortSignal;
}

/** Runs `work` until it succeeds; rethrows its last failure once `attempts` are used or `stop()` says so. */
export async function retry<T>(work: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const backoff = new Backoff(policy.backoff);
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= (policy.attempts ?? Number.POSITIVE_INFINITY) || policy.stop?.(attempt) || policy.signal?.aborted) throw error;
      const delay = backoff.next();
      policy.onRetry?.(error, attempt, delay);
      await (policy.sleeper ? policy.sleeper.sleep(delay) : abortableDelay(delay, policy.signal));
      if (policy.signal?.aborted) throw error;
    }
  }
}

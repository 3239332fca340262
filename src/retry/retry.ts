// The one retry loop: backoff with jitter between failures, a limit of attempts, a stop signal, a log hook.
import { Backoff, type BackoffOptions } from "./backoff.ts";
import { delay } from "./delay.ts";

interface RetryPolicy {
  /** Delays between attempts (equal jitter, see Backoff): one of policies.ts. */
  backoff: BackoffOptions;
  /** Attempts in all, the first included; unlimited by default. */
  attempts?: number;
  /** Aborted when the owner stops: the wait ends at once and the last failure is rethrown. */
  signal?: AbortSignal;
  /** Told of each failure that will be retried. */
  onRetry?: (error: unknown, attempt: number, retryInMs: number) => void;
}

/** Runs `work` until it succeeds; rethrows its last failure once `attempts` are used or `signal` aborts. */
export async function retry<T>(work: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const backoff = new Backoff(policy.backoff);
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= (policy.attempts ?? Number.POSITIVE_INFINITY) || policy.signal?.aborted) throw error;
      const wait = backoff.next();
      policy.onRetry?.(error, attempt, wait);
      await delay(wait, policy.signal);
      if (policy.signal?.aborted) throw error;
    }
  }
}

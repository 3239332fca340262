// The one wait of the service: a timer that an AbortSignal ends early, so one signal passed down stops every loop.
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Resolves after `ms`, or at once when `signal` aborts (before or during the wait). It never rejects:
 * a loop checks `signal.aborted` after waking, instead of catching an AbortError at every call site.
 */
export async function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await sleep(ms, undefined, signal ? { signal } : {}).catch((error: unknown) => {
    if (!signal?.aborted) throw error;
  });
}

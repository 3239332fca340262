// An event's time, its `meta.dt`: the one reading of it, for counting, the stream lag, the resume gap
// and a replay's recorded pace.

/**
 * An ISO 8601 date-time with seconds, optional fractions and an explicit offset. Date.parse alone
 * also takes a bare year, a number or a time without an offset (read as local time), none of
 * which is an event's time.
 */
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** `meta.dt` (e.g. `2025-05-03T07:46:19Z`, `...19.123Z`, `...19+00:00`) as epoch ms; undefined if it is not such a time. */
export function eventTimeMs(dt: string | undefined): number | undefined {
  if (dt === undefined || !EVENT_TIME.test(dt)) return undefined;
  const ms = Date.parse(dt);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * How far ahead of the clock a `meta.dt` may be and still be an event's time. A producer's clock may
 * run a little fast; a time further ahead would put the event into windows that have not begun.
 */
export const MAX_AHEAD_MS = 10 * 60_000;

/**
 * The time a counted event falls at: its `meta.dt` when that is an event time (eventTimeMs) at most
 * MAX_AHEAD_MS ahead of `nowMs`, else undefined, and the event falls at its arrival, `nowMs`.
 */
export function countedTimeMs(dt: unknown, nowMs: number): number | undefined {
  if (typeof dt !== "string") return undefined;
  const ms = eventTimeMs(dt);
  return ms !== undefined && ms - nowMs <= MAX_AHEAD_MS ? ms : undefined;
}

/**
 * The `meta.dt` of an event's JSON payload as epoch ms; undefined when the payload has none. The
 * payload may be a binary string (SseParser's binaryData): a time this reads is ASCII either way.
 */
export function payloadTimeMs(data: string): number | undefined {
  let dt: unknown;
  try {
    dt = (JSON.parse(data) as { meta?: { dt?: unknown } } | null)?.meta?.dt;
  } catch {
    return undefined;
  }
  return typeof dt === "string" ? eventTimeMs(dt) : undefined;
}

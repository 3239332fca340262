// Stream lag: how far behind real time the last counted event is, read from its meta.dt.
import { eventTimeMs } from "../stats/event-time.ts";

/** Seconds from `dt` (an event's meta.dt) to `nowMs`, or undefined when there is no usable dt. */
export function lagSeconds(dt: string | undefined, nowMs: number): number | undefined {
  const at = eventTimeMs(dt);
  return at === undefined ? undefined : Math.max(0, (nowMs - at) / 1000);
}

// Notices when the stream resumed later than asked: Wikimedia silently starts from "latest" when
// the requested position is older than its retained history (7-31 days), so the gap must be logged.
import { payloadTimeMs } from "../stats/event-time.ts";

/** The time a connection asked to resume from: the newest timestamp in a Last-Event-ID, or `since`. */
export function requestedTime(lastEventId: string, since: string | undefined): number | undefined {
  if (lastEventId !== "") {
    try {
      const positions = JSON.parse(lastEventId) as unknown;
      if (!Array.isArray(positions)) return undefined;
      const times = positions
        .map((p) => (typeof p === "object" && p !== null ? (p as { timestamp?: unknown }).timestamp : undefined))
        .filter((t): t is number => typeof t === "number");
      return times.length > 0 ? Math.max(...times) : undefined;
    } catch {
      return undefined;
    }
  }
  if (since === undefined) return undefined;
  const time = /^[0-9]+$/.test(since) ? Number(since) : Date.parse(since);
  return Number.isNaN(time) ? undefined : time;
}

/** The first event's meta.dt minus the requested time, in ms; undefined when either is unknown. */
export function resumeGapMs(requested: number | undefined, firstEventData: string): number | undefined {
  if (requested === undefined) return undefined;
  const time = payloadTimeMs(firstEventData);
  return time === undefined ? undefined : time - requested;
}

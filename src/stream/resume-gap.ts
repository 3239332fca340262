// Notices when the stream resumed later than asked: Wikimedia silently starts from "latest" when
// the requested position is older than its retained history (7-31 days), so the gap must be logged.

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

/**
 * The first event's meta.dt minus the requested time, in ms; undefined when either is unknown. The data
 * may be a binary string (SseParser's binaryData): a timestamp Date.parse reads is ASCII either way.
 */
export function resumeGapMs(requested: number | undefined, firstEventData: string): number | undefined {
  if (requested === undefined) return undefined;
  try {
    const dt = (JSON.parse(firstEventData) as { meta?: { dt?: unknown } }).meta?.dt;
    const time = typeof dt === "string" ? Date.parse(dt) : NaN;
    return Number.isNaN(time) ? undefined : time - requested;
  } catch {
    return undefined;
  }
}

// Stream lag: how far behind real time the last counted event is, read from its meta.dt.

/** Seconds from `dt` (an ISO date) to `nowMs`, or undefined when there is no usable dt. */
export function lagSeconds(dt: string | undefined, nowMs: number): number | undefined {
  if (dt === undefined) return undefined;
  const at = Date.parse(dt);
  return Number.isFinite(at) ? Math.max(0, (nowMs - at) / 1000) : undefined;
}

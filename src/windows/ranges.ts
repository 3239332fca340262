// The time parameters of /stats, /stats/top and /stats/series, parsed and checked before any store is
// asked: a store is handed only ranges it can answer exactly (aligned, non-empty, within retention).
import { duration, parseTime, shown } from "./time-text.ts";
import { DAY_MS, HOUR_MS, MINUTE_MS, SERIES_STEPS_S, type TopBy } from "./types.ts";

export { parseTime, rfc3339, shown } from "./time-text.ts";

/** A parameter the caller got wrong; the HTTP layer answers 400 {"error":"invalid_parameter","message"}. */
export class QueryError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = "QueryError";
  }
}

export type Query = Record<string, string | undefined>;

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

export interface TopQuery extends TimeRange {
  by: TopBy;
  limit: number;
  bot: boolean | undefined;
}

export interface SeriesQuery extends TimeRange {
  stepMs: number;
  serverUrl: string | undefined;
}

const TOP_BY: readonly TopBy[] = ["user", "page", "server_url"];
export const TOP_LIMIT_DEFAULT = 10;
export const TOP_LIMIT_MAX = 1000;

/**
 * The range of `/stats?from&to` or `/stats?window`, or undefined when none of them is given (the
 * all-time totals). A window ends at the end of the current minute, so it includes the events of now.
 */
export function statsRange(query: Query, nowMs: number, retentionMs: number): TimeRange | undefined {
  const { window, from, to } = query;
  if (window !== undefined) {
    if (from !== undefined || to !== undefined)
      throw new QueryError(from !== undefined ? "from" : "to", "window cannot be combined with from or to");
    const length = parseWindow(window);
    if (length > retentionMs)
      throw new QueryError("window", `window must be at most the retention of ${duration(retentionMs)}, got ${shown(window)}`);
    const toMs = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    return { fromMs: toMs - length, toMs };
  }
  if (from === undefined && to === undefined) return undefined;
  return alignedRange(query, MINUTE_MS, "a whole minute", retentionMs);
}

/** `/stats/top?by&from&to[&limit][&bot]`: whole hours, the hour buckets top counts are kept in. */
export function topQuery(query: Query, retentionMs: number): TopQuery {
  const by = query.by;
  if (by === undefined) throw new QueryError("by", "by is required: user, page or server_url");
  if (!(TOP_BY as readonly string[]).includes(by)) throw new QueryError("by", `by must be user, page or server_url, got ${shown(by)}`);
  const range = alignedRange(query, HOUR_MS, "a whole hour", retentionMs);
  return { by: by as TopBy, ...range, limit: parseLimit(query.limit), bot: parseBot(query.bot) };
}

/** `/stats/series?from&to&step[&server_url]`: from and to fall on step boundaries, so every point is a whole step. */
export function seriesQuery(query: Query, retentionMs: number): SeriesQuery {
  const step = query.step;
  const allowed = SERIES_STEPS_S.join(", ");
  if (step === undefined) throw new QueryError("step", `step is required: one of ${allowed} (seconds)`);
  const seconds = SERIES_STEPS_S.find((s) => String(s) === step);
  if (seconds === undefined) throw new QueryError("step", `step must be one of ${allowed} (seconds), got ${shown(step)}`);
  const range = alignedRange(query, seconds * 1000, `a multiple of step (${seconds} s)`, retentionMs);
  const serverUrl = query.server_url;
  if (serverUrl === "") throw new QueryError("server_url", "server_url must not be empty");
  return { ...range, stepMs: seconds * 1000, serverUrl };
}

function alignedRange(query: Query, unitMs: number, rule: string, retentionMs: number): TimeRange {
  const { from, to } = query;
  if (from === undefined) throw new QueryError("from", `from is required with to (${rule}, RFC 3339 or unix seconds)`);
  if (to === undefined) throw new QueryError("to", `to is required with from (${rule}, RFC 3339 or unix seconds)`);
  const fromMs = alignedTime("from", from, unitMs, rule);
  const toMs = alignedTime("to", to, unitMs, rule);
  if (toMs <= fromMs) throw new QueryError("to", `to must be after from, got from=${shown(from)} to=${shown(to)}`);
  if (toMs - fromMs > retentionMs)
    throw new QueryError(
      "from",
      `from..to must span at most the retention of ${duration(retentionMs)}, got ${duration(toMs - fromMs)} (from=${shown(from)} to=${shown(to)})`,
    );
  return { fromMs, toMs };
}

function alignedTime(param: string, value: string, unitMs: number, rule: string): number {
  const ms = parseTime(value);
  if (ms === undefined || ms % unitMs !== 0)
    throw new QueryError(param, `${param} must be ${rule} (RFC 3339 or unix seconds), got ${shown(value)}`);
  return ms;
}

const WINDOW = /^([1-9]\d{0,8})([mhd])$/;
const UNIT_MS: Record<string, number> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

function parseWindow(value: string): number {
  const m = WINDOW.exec(value);
  if (!m) throw new QueryError("window", `window must be a positive whole number of m, h or d (e.g. 90m, 24h, 7d), got ${shown(value)}`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return TOP_LIMIT_DEFAULT;
  const n = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= TOP_LIMIT_MAX))
    throw new QueryError("limit", `limit must be an integer from 1 to ${TOP_LIMIT_MAX}, got ${shown(value)}`);
  return n;
}

function parseBot(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new QueryError("bot", `bot must be true or false, got ${shown(value)}`);
}

// The time dimension's vocabulary: what a window index is fed and what it answers. Times are epoch ms
// of event time (`meta.dt`); a range is [fromMs, toMs).
import type { Stats } from "../stats/types.ts";

/** What a window index needs from one counted event. */
export interface WindowEvent {
  /** Event time (epoch ms): `meta.dt`, or the arrival time when it has none (see ChangeEvent.timeMs). */
  timeMs: number;
  /** Absent when the user name was suppressed: such events count everywhere but distinct_users and top users. */
  user: string | undefined;
  bot: boolean;
  /** Undefined when absent, or when max_server_urls left it out of by_server_url. */
  serverUrl: string | undefined;
  /** The event's `meta.uri`; absent on unusual events, which then rank in no top pages. */
  page: string | undefined;
}

export type TopBy = "user" | "page" | "server_url";

export interface TopItem {
  key: string;
  count: number;
}

/** One step of a series; `tMs` is its start. */
export interface SeriesCounts {
  tMs: number;
  messages: number;
  bots: number;
  non_bots: number;
  distinct_users: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** The steps /stats/series accepts, in seconds. */
export const SERIES_STEPS_S = [60, 300, 900, 3600, 86_400] as const;

/**
 * The windowed questions a store answers. Ranges arrive validated (aligned, non-empty, within
 * retention) by the HTTP layer; the answers are exact.
 */
export interface WindowQueries {
  /** The /stats figures for events with fromMs <= timeMs < toMs (from, to are whole minutes). */
  rangeStats(fromMs: number, toMs: number): Promise<Stats>;
  /**
   * The `limit` keys with the most events in the range (whole hours), count descending, ties by key
   * in code-point order. bot: true counts bot events only, false human events only, undefined all.
   */
  top(by: TopBy, fromMs: number, toMs: number, limit: number, bot: boolean | undefined): Promise<TopItem[]>;
  /** One point per step from fromMs (zeros included); serverUrl narrows every figure to one wiki. */
  series(fromMs: number, toMs: number, stepMs: number, serverUrl?: string): Promise<SeriesCounts[]>;
  /** The newest event time counted (retention counts back from it); undefined before the first event. */
  newestEventMs(): number | undefined;
  /** How far back from newestEventMs() the windows reach. */
  readonly retentionMs: number;
}

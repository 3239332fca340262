// The figures wikitally publishes, and the slice of an event that feeds them.

/** The `/stats` answer; the same JSON shape as the Go service it replaces. */
export interface Stats {
  messages: number;
  distinct_users: number;
  bots: number;
  non_bots: number;
  by_server_url: Record<string, number>;
}

/** What counting needs from one accepted recentchange event; structurally a WindowEvent (windows/types.ts). */
export interface ChangeEvent {
  /**
   * Event time (epoch ms): `meta.dt`, or the arrival time when that is missing, unparsable or too far
   * ahead of the clock (see countedTimeMs in event-time.ts; tallied as no_event_time).
   */
  timeMs: number;
  /** Absent when the user name was suppressed (redacted pages). */
  user: string | undefined;
  bot: boolean;
  /** Absent on very old or unusual events; such events still count as messages. */
  serverUrl: string | undefined;
  /** The event's `meta.uri`; absent on unusual events. */
  page: string | undefined;
}

/** Where Ingest hands counted events and the stream position; every StatsStore is one. */
export interface CountSink {
  /** Counts one event; false when its server URL was left out of by_server_url (max_server_urls reached). */
  add(event: ChangeEvent): boolean;
  /** The stream position reached after every event added so far. */
  setPosition(position: string): void;
}

export function emptyStats(): Stats {
  return { messages: 0, distinct_users: 0, bots: 0, non_bots: 0, by_server_url: {} };
}

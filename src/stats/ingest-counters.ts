// What the stream delivered, by outcome: the counted events, each reason an event was not counted,
// and each field left out under the field limits.

/** Everything the stream delivered, by outcome; served on /health. The one object of ingest tallies. */
export interface IngestCounters {
  counted: number;
  canary: number;
  malformed: number;
  not_object: number;
  error_frames: number;
  other_types: number;
  incomplete: number;
  oversized: number;
  /** Ids over 1 KiB, ignored (their events count; the position stays at the previous id). */
  oversized_id: number;
  /** Counted events whose `user` was over 255 bytes, so not added to distinct_users. */
  invalid_user: number;
  /** Counted events whose `server_url` was over 2 KiB, so counted as having none. */
  invalid_server_url: number;
  /** Counted events left out of by_server_url because max_server_urls other URLs are kept. */
  server_url_overflow: number;
  /**
   * Counted events without a usable `meta.dt` (missing, unparsable, or more than 10 minutes ahead of
   * the clock), which so fell at their arrival time.
   */
  no_event_time: number;
}

export function emptyIngestCounters(): IngestCounters {
  return {
    counted: 0,
    canary: 0,
    malformed: 0,
    not_object: 0,
    error_frames: 0,
    other_types: 0,
    incomplete: 0,
    oversized: 0,
    oversized_id: 0,
    invalid_user: 0,
    invalid_server_url: 0,
    server_url_overflow: 0,
    no_event_time: 0,
  };
}

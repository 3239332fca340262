// What the registry reads when scraped: the service's state and the tallies Metrics keeps.
import type { LeaseStatus } from "../lease/ingest-lease.ts";
import type { StatsStore } from "../store/stats-store.ts";
import type { StreamStatus } from "../stream/index.ts";
import type { BucketTally } from "./histogram.ts";
import type { RequestMetrics } from "./request-metrics.ts";

export interface MetricSources {
  /** The ingest tallies, enumerated as they are: a new tally becomes a new `outcome` on its own. */
  ingest: object;
  stream: () => StreamStatus;
  /** `meta.dt` of the last counted event. */
  lastEventDt: () => string | undefined;
  store: StatsStore;
  /** The ingest lease, where this instance competes for it. */
  lease?: (() => LeaseStatus) | undefined;
}

export const LOGIN_RESULTS = ["success", "invalid_credentials", "rate_limited", "unavailable", "bad_request"] as const;
export type LoginResult = (typeof LOGIN_RESULTS)[number];

export const FLUSH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The sources plus the tallies kept by Metrics. */
export interface Tallies extends MetricSources {
  logins: Record<LoginResult, number>;
  flushes: BucketTally;
  storeErrors: () => number;
  requests: RequestMetrics;
}

// The Prometheus metrics. The service keeps plain tallies; prom-client is loaded at the first scrape
// (importing it costs start-up time) and reads everything else from the service's state when scraped.
import type { Registry } from "prom-client";
import type { LeaseStatus } from "../lease/ingest-lease.ts";
import type { StatsStore } from "../store/stats-store.ts";
import type { StreamStatus } from "../stream/index.ts";
import { BucketTally } from "./histogram.ts";
import { RequestMetrics } from "./request-metrics.ts";

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

/** What the registry reads: the sources plus the tallies kept here. */
export interface Tallies extends MetricSources {
  logins: Record<LoginResult, number>;
  flushes: BucketTally;
  storeErrors: () => number;
  requests: RequestMetrics;
}

export class Metrics {
  private readonly logins = Object.fromEntries(LOGIN_RESULTS.map((r) => [r, 0])) as Record<LoginResult, number>;
  private readonly flushes = new BucketTally(FLUSH_BUCKETS);
  private storeErrors = 0;
  private readonly requests = new RequestMetrics();
  private registry: Promise<Registry> | undefined;

  constructor(private readonly sources: MetricSources) {}

  readonly observeFlush = (seconds: number, failed: boolean): void => {
    this.flushes.observe(seconds);
    if (failed) this.storeErrors++;
  };

  observeLogin(result: LoginResult): void {
    this.logins[result]++;
  }

  /** `route` is the route template (or "unmatched"), never the raw path, so label values stay few. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.record(method, route, status, seconds);
  }

  /** The text exposition and its content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    this.registry ??= import("./registry.ts").then(({ createRegistry }) => createRegistry({
      ...this.sources, logins: this.logins, flushes: this.flushes, storeErrors: () => this.storeErrors, requests: this.requests,
    }));
    const registry = await this.registry;
    return { body: await registry.metrics(), contentType: registry.contentType };
  }
}

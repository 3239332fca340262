// The Prometheus metrics. The service keeps plain tallies; prom-client is loaded at the first scrape
// (importing it costs start-up time) and reads everything else from the service's state when scraped.
import type { Registry } from "prom-client";
import { BucketTally } from "./histogram.ts";
import { RequestMetrics } from "./request-metrics.ts";
import { FLUSH_BUCKETS, LOGIN_RESULTS, type LoginResult, type MetricSources } from "./tallies.ts";

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
    this.registry ??= import("./registry.ts").then(({ createRegistry }) =>
      createRegistry({
        ...this.sources,
        logins: this.logins,
        flushes: this.flushes,
        storeErrors: () => this.storeErrors,
        requests: this.requests,
      }),
    );
    const registry = await this.registry;
    return { body: await registry.metrics(), contentType: registry.contentType };
  }
}

// The Prometheus metrics: most are read from the service's own state when scraped, not kept on the hot path.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { StatsStore } from "../store/stats-store.ts";
import type { StreamStatus } from "../stream/index.ts";
import { lagSeconds } from "./lag.ts";
import { RequestMetrics } from "./request-metrics.ts";

export interface MetricSources {
  /** The ingest tallies, enumerated as they are: a new tally becomes a new `outcome` on its own. */
  ingest: object;
  stream: () => StreamStatus;
  /** `meta.dt` of the last counted event. */
  lastEventDt: () => string | undefined;
  store: StatsStore;
}

export const LOGIN_RESULTS = ["success", "invalid_credentials", "rate_limited", "unavailable", "bad_request"] as const;
export type LoginResult = (typeof LOGIN_RESULTS)[number];

export class Metrics {
  readonly registry = new Registry();
  private readonly logins: Counter<"result">;
  private readonly requests: RequestMetrics;
  private readonly flushes: Histogram;
  private readonly storeErrors: Counter;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Counter({
      name: "wikitally_events_total", help: "Stream events by outcome (the /health ingest tallies); outcome=\"counted\" equals /stats messages for this process's life.",
      labelNames: ["outcome"], registers,
      collect() {
        this.reset();
        for (const [outcome, n] of Object.entries(sources.ingest) as [string, number][]) this.inc({ outcome }, n);
      },
    });
    new Gauge({
      name: "wikitally_stream_up", help: "1 while the stream is connected and delivering, else 0.", registers,
      collect() { this.set(sources.stream().state === "streaming" ? 1 : 0); },
    });
    new Counter({
      name: "wikitally_stream_reconnects_total", help: "Stream connections after the first.", registers,
      collect() {
        this.reset();
        this.inc(Math.max(0, sources.stream().connections - 1));
      },
    });
    new Gauge({
      name: "wikitally_stream_lag_seconds", help: "Now minus meta.dt of the last counted event (NaN before the first).", registers,
      collect() {
        this.set(lagSeconds(sources.lastEventDt(), Date.now()) ?? Number.NaN);
      },
    });
    new Gauge({
      name: "wikitally_stream_last_event_timestamp_seconds", help: "meta.dt of the last counted event, as Unix seconds (NaN before the first).", registers,
      collect() {
        this.set(Date.parse(sources.lastEventDt() ?? "") / 1000);
      },
    });
    new Gauge({
      name: "wikitally_store_pending_events", help: "Events counted in memory but not yet written to the store.", registers,
      collect() { this.set(sources.store.health().pendingEvents); },
    });
    new Gauge({
      name: "wikitally_store_ready", help: "1 while the store is connected and writing (as /ready), else 0.", registers,
      collect() { this.set(sources.store.health().ready ? 1 : 0); },
    });
    this.flushes = new Histogram({
      name: "wikitally_store_flush_duration_seconds", help: "Duration of flushes to Cassandra, failed ones included.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    this.storeErrors = new Counter({ name: "wikitally_store_errors_total", help: "Failed flushes or re-reads of Cassandra.", registers });
    this.logins = new Counter({ name: "wikitally_login_attempts_total", help: "POST /login answers by result.", labelNames: ["result"], registers });
    for (const result of LOGIN_RESULTS) this.logins.inc({ result }, 0);
    this.requests = new RequestMetrics(this.registry);
  }

  readonly observeFlush = (seconds: number, failed: boolean): void => {
    this.flushes.observe(seconds);
    if (failed) this.storeErrors.inc();
  };

  observeLogin(result: LoginResult): void {
    this.logins.inc({ result });
  }

  /** `route` is the route template (or "unmatched"), never the raw path, so label values stay few. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.record(method, route, status, seconds);
  }

  /** The text exposition and its content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

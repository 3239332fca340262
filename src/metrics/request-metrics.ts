// The HTTP request metrics, tallied in plain arrays per series and handed to prom-client only when scraped.
// prom-client hashes the label object on every inc()/observe(): a few µs per request, as much as /stats costs.
import { Counter, type Metric, type Registry } from "prom-client";

const NAME = "wikitally_http_request_duration_seconds";
const HELP = "HTTP request duration by method and route template.";
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

interface Durations {
  labels: { method: string; route: string };
  /** Count per bucket, not cumulative; the last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * wikitally_http_request_duration_seconds from its own tallies: registered as a plain metric object
 * (prom-client's registry only calls get() and reset() on it).
 */
function durationHistogram(series: Map<string, Durations>): Metric {
  const get = async () => {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const { labels, counts, sum, count } of series.values()) {
      let cumulative = 0;
      BUCKETS.forEach((le, i) => {
        cumulative += counts[i]!;
        values.push({ metricName: `${NAME}_bucket`, labels: { ...labels, le }, value: cumulative });
      });
      values.push({ metricName: `${NAME}_bucket`, labels: { ...labels, le: "+Inf" }, value: count });
      values.push({ metricName: `${NAME}_sum`, labels, value: sum });
      values.push({ metricName: `${NAME}_count`, labels, value: count });
    }
    return { name: NAME, help: HELP, type: "histogram", values, aggregator: "sum" };
  };
  return { name: NAME, help: HELP, get, reset: () => series.clear() } as unknown as Metric;
}

export class RequestMetrics {
  private readonly counts = new Map<string, { labels: { method: string; route: string; status: string }; n: number }>();
  private readonly durations = new Map<string, Durations>();

  constructor(registry: Registry) {
    const counts = this.counts;
    new Counter({
      name: "wikitally_http_requests_total", help: "HTTP requests by method, route template and status.",
      labelNames: ["method", "route", "status"], registers: [registry],
      collect() {
        this.reset();
        for (const { labels, n } of counts.values()) this.inc(labels, n);
      },
    });
    registry.registerMetric(durationHistogram(this.durations));
  }

  record(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route}`;
    const countKey = `${key} ${status}`;
    const count = this.counts.get(countKey);
    if (count === undefined) this.counts.set(countKey, { labels: { method, route, status: String(status) }, n: 1 });
    else count.n++;
    let d = this.durations.get(key);
    if (d === undefined) {
      d = { labels: { method, route }, counts: new Float64Array(BUCKETS.length), sum: 0, count: 0 };
      this.durations.set(key, d);
    }
    const bucket = BUCKETS.findIndex((le) => seconds <= le);
    if (bucket >= 0) d.counts[bucket]!++;
    d.sum += seconds;
    d.count++;
  }
}

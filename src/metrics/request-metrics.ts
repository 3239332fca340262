// The HTTP request tallies, kept in plain maps per series and read by the registry when scraped.
import { BucketTally, type HistogramSeries } from "./histogram.ts";

export const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export class RequestMetrics {
  readonly counts = new Map<string, { labels: { method: string; route: string; status: string }; n: number }>();
  private readonly durations = new Map<string, HistogramSeries>();

  record(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route}`;
    const countKey = `${key} ${status}`;
    const count = this.counts.get(countKey);
    if (count === undefined) this.counts.set(countKey, { labels: { method, route, status: String(status) }, n: 1 });
    else count.n++;
    let series = this.durations.get(key);
    if (series === undefined) {
      series = { labels: { method, route }, tally: new BucketTally(DURATION_BUCKETS) };
      this.durations.set(key, series);
    }
    series.tally.observe(seconds);
  }

  durationSeries(): Iterable<HistogramSeries> {
    return this.durations.values();
  }
}

// The HTTP request tallies, kept in plain maps per series and read by the registry when scraped.
import { BucketTally, type HistogramSeries } from "./histogram.ts";

export const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

interface Count {
  labels: { method: string; route: string; status: string };
  n: number;
}

/** One method and route: its duration histogram and its count per status. */
interface RouteSeries extends HistogramSeries {
  byStatus: Map<number, Count>;
}

export class RequestMetrics {
  /** Every count, in the order first seen: what the registry reads. */
  readonly counts: Count[] = [];
  private readonly durations: HistogramSeries[] = [];
  /**
   * route → method → series: looked up with the strings as given, since a key built per request
   * (`${method} ${route}`) is a new string to hash on every answer.
   */
  private readonly routes = new Map<string, Map<string, RouteSeries>>();

  record(method: string, route: string, status: number, seconds: number): void {
    let methods = this.routes.get(route);
    if (methods === undefined) this.routes.set(route, (methods = new Map()));
    let series = methods.get(method);
    if (series === undefined) {
      series = { labels: { method, route }, tally: new BucketTally(DURATION_BUCKETS), byStatus: new Map() };
      methods.set(method, series);
      this.durations.push(series);
    }
    const count = series.byStatus.get(status);
    if (count !== undefined) count.n++;
    else {
      const created = { labels: { method, route, status: String(status) }, n: 1 };
      series.byStatus.set(status, created);
      this.counts.push(created);
    }
    series.tally.observe(seconds);
  }

  durationSeries(): Iterable<HistogramSeries> {
    return this.durations;
  }
}

// A histogram tallied in a plain array, and its Prometheus form, built only when scraped.
import type { Metric } from "prom-client";

/** One histogram series: counts per bucket (not cumulative; the last slot is +Inf), sum and count. */
export class BucketTally {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly buckets: readonly number[]) {
    this.counts = new Float64Array(buckets.length + 1);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export interface HistogramSeries {
  labels: Record<string, string>;
  tally: BucketTally;
}

/**
 * A histogram metric for prom-client's registry, which only calls get() and reset() on it; prom-client's
 * own Histogram would hash the label object on every observe(), that is, on every request.
 */
export function histogramMetric(name: string, help: string, buckets: readonly number[], series: () => Iterable<HistogramSeries>): Metric {
  const get = async () => {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const { labels, tally } of series()) {
      let cumulative = 0;
      buckets.forEach((le, i) => {
        cumulative += tally.counts[i]!;
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: "+Inf" }, value: tally.count });
      values.push({ metricName: `${name}_sum`, labels, value: tally.sum });
      values.push({ metricName: `${name}_count`, labels, value: tally.count });
    }
    // prom-client's typings declare `type` as a numeric enum; its runtime and the text format use the name.
    return { name, help, type: "histogram", values, aggregator: "sum" };
  };
  return { name, help, get, reset: () => {} } as unknown as Metric;
}

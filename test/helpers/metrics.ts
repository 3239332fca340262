// Reading /metrics in tests: the Prometheus text format as a map from series to value.

/** "name{labels}" (label order as exposed) → value. */
export async function scrapeMetrics(base: string, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const response = await fetch(`${base}/metrics`, { headers });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("text/plain; version=0.0.4")) throw new Error(`/metrics answered as ${type}`);
  const series = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

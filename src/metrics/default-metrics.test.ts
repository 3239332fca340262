import { describe, expect, spyOn, test } from "bun:test";
import v8 from "node:v8";
import { collectDefaultMetrics as promClientDefaults, Registry } from "prom-client";
import { collectDefaultMetrics } from "./default-metrics.ts";

async function scrapeWith(register: (registry: Registry) => void): Promise<{ names: Set<string>; heapWalks: number }> {
  const spy = spyOn(v8, "getHeapSpaceStatistics");
  try {
    const registry = new Registry();
    register(registry);
    await registry.metrics();
    await registry.metrics();
    const names = new Set(registry.getMetricsAsArray().map((m) => m.name));
    registry.clear();
    return { names, heapWalks: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

describe("collectDefaultMetrics", () => {
  test("registers prom-client's defaults but the heap-space gauges, and never asks for heap spaces", async () => {
    // The control: prom-client's own defaults walk the heap when registered and at each scrape.
    const theirs = await scrapeWith((registry) => promClientDefaults({ register: registry }));
    expect(theirs.heapWalks).toBeGreaterThanOrEqual(3);
    const ours = await scrapeWith(collectDefaultMetrics);
    expect(ours.heapWalks).toBe(0);
    const dropped = ["nodejs_heap_space_size_total_bytes", "nodejs_heap_space_size_used_bytes", "nodejs_heap_space_size_available_bytes"];
    expect([...ours.names].sort()).toEqual([...theirs.names].filter((name) => !dropped.includes(name)).sort());
    for (const name of dropped) expect(theirs.names.has(name)).toBe(true);
    for (const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_heap_size_used_bytes",
      "nodejs_eventloop_lag_p99_seconds",
    ]) {
      expect(ours.names.has(name)).toBe(true);
    }
  });
});

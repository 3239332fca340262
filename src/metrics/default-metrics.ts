// prom-client's default process_* and nodejs_* metrics, but for the three that walk the whole heap in Bun.
import type { Registry } from "prom-client";
import eventLoopLag from "prom-client/lib/metrics/eventLoopLag.js";
import gc from "prom-client/lib/metrics/gc.js";
import heapSizeAndUsed from "prom-client/lib/metrics/heapSizeAndUsed.js";
import osMemoryHeap from "prom-client/lib/metrics/osMemoryHeap.js";
import processCpuTotal from "prom-client/lib/metrics/processCpuTotal.js";
import processHandles from "prom-client/lib/metrics/processHandles.js";
import processMaxFileDescriptors from "prom-client/lib/metrics/processMaxFileDescriptors.js";
import processOpenFileDescriptors from "prom-client/lib/metrics/processOpenFileDescriptors.js";
import processRequests from "prom-client/lib/metrics/processRequests.js";
import processResources from "prom-client/lib/metrics/processResources.js";
import processStartTime from "prom-client/lib/metrics/processStartTime.js";
import version from "prom-client/lib/metrics/version.js";

/**
 * The event-loop lag monitor samples on a timer of this period. prom-client's 10 ms wakes an idle
 * process a hundred times a second, which at the live stream's pace costs more CPU than reading the
 * stream does; at 100 ms the lag histogram still catches every stall a user would notice.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * collectDefaultMetrics() (prom-client 15.1.3, pinned; its lib/defaultMetrics.js lists these) without
 * heapSpacesSizeAndUsed, the nodejs_heap_space_size_{total,used,available}_bytes gauges. Bun answers
 * v8.getHeapSpaceStatistics() by walking every object of its heap, on the thread that reads the
 * stream and answers /stats: a pause that grows with the heap, at every scrape and once more when
 * they are registered. Its figures are V8's spaces, which JSC does not have (Bun reports most of
 * them as 0); nodejs_heap_size_* and process_resident_memory_bytes, which are cheap to read, stay.
 */
export function collectDefaultMetrics(registry: Registry): void {
  const config = { eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS };
  for (const register of [
    processCpuTotal,
    processStartTime,
    osMemoryHeap,
    processOpenFileDescriptors,
    processMaxFileDescriptors,
    eventLoopLag,
    ...(typeof process.getActiveResourcesInfo === "function" ? [processResources] : []),
    processHandles,
    processRequests,
    heapSizeAndUsed,
    version,
    gc,
  ])
    register(registry, config);
}

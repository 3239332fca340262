// The prom-client registry: every wikitally metric read from the service's state and tallies when scraped.
import { eventTimeMs } from "../stats/event-time.ts";
import { Counter, Gauge, Registry } from "prom-client";
import { collectDefaultMetrics } from "./default-metrics.ts";
import { histogramMetric } from "./histogram.ts";
import { lagSeconds } from "./lag.ts";
import { DURATION_BUCKETS } from "./request-metrics.ts";
import { FLUSH_BUCKETS, type Tallies } from "./tallies.ts";

export function createRegistry(t: Tallies): Registry {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics(registry);
  // Counters read from a running total: reset, then set to it, at every scrape.
  const total = (name: string, help: string, labelNames: string[], values: () => Iterable<[Record<string, string>, number]>) =>
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const [labels, n] of values()) this.inc(labels, n);
      },
    });
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(value());
      },
    });

  total(
    "wikitally_events_total",
    'Stream events by outcome (the /health ingest tallies); outcome="counted" equals /stats messages for this process\'s life.',
    ["outcome"],
    () => (Object.entries(t.ingest) as [string, number][]).map(([outcome, n]) => [{ outcome }, n]),
  );
  gauge("wikitally_stream_up", "1 while the stream is connected and delivering, else 0.", () => (t.stream().state === "streaming" ? 1 : 0));
  total("wikitally_stream_reconnects_total", "Stream connections after the first.", [], () => [
    [{}, Math.max(0, t.stream().connections - 1)],
  ]);
  gauge(
    "wikitally_stream_lag_seconds",
    "Now minus meta.dt of the last counted event (NaN before the first).",
    () => lagSeconds(t.lastEventDt(), Date.now()) ?? Number.NaN,
  );
  gauge(
    "wikitally_stream_last_event_timestamp_seconds",
    "meta.dt of the last counted event, as Unix seconds (NaN before the first).",
    () => (eventTimeMs(t.lastEventDt()) ?? Number.NaN) / 1000,
  );
  gauge(
    "wikitally_store_pending_events",
    "Events counted in memory but not yet written to the store.",
    () => t.store.health().pendingEvents,
  );
  const lease = t.lease;
  if (lease)
    gauge("wikitally_lease_leader", "1 while this instance holds the ingest lease (consumes the stream), 0 while it stands by.", () =>
      lease().role === "leader" ? 1 : 0,
    );
  gauge("wikitally_store_ready", "1 while the store is connected and writing (as /ready), else 0.", () => (t.store.health().ready ? 1 : 0));
  registry.registerMetric(
    histogramMetric(
      "wikitally_store_flush_duration_seconds",
      "Duration of flushes to Cassandra, failed ones included.",
      FLUSH_BUCKETS,
      () => [{ labels: {}, tally: t.flushes }],
    ),
  );
  total("wikitally_store_errors_total", "Failed flushes or re-reads of Cassandra.", [], () => [[{}, t.storeErrors()]]);
  total("wikitally_login_attempts_total", "POST /login answers by result.", ["result"], () =>
    Object.entries(t.logins).map(([result, n]) => [{ result }, n]),
  );
  total("wikitally_http_requests_total", "HTTP requests by method, route template and status.", ["method", "route", "status"], () =>
    t.requests.counts.map(({ labels, n }) => [labels, n]),
  );
  registry.registerMetric(
    histogramMetric(
      "wikitally_http_request_duration_seconds",
      "HTTP request duration by method and route template.",
      DURATION_BUCKETS,
      () => t.requests.durationSeries(),
    ),
  );
  return registry;
}

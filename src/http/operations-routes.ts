// GET /status, /ready and /health: liveness, readiness and details for operators, all unauthenticated.
import { Elysia } from "elysia";
import type { LeaseStatus } from "../lease/ingest-lease.ts";
import type { StatsStore } from "../store/stats-store.ts";
import type { IngestCounters, StreamStatus } from "../stream/index.ts";
import { errorAnswers } from "./openapi.ts";
import { opt } from "./optional-field.ts";
import { HealthSchema, ReadySchema, StatusSchema } from "./schemas.ts";

interface OperationsSources {
  store: StatsStore;
  stream: () => StreamStatus;
  ingest: IngestCounters;
  /** The ingest lease, when this instance competes for it. */
  lease?: (() => LeaseStatus) | undefined;
}

export function operationsRoutes({ store, stream, ingest, lease }: OperationsSources) {
  const startedAt = Date.now();
  return new Elysia({ name: "operations-routes" })
    .get("/status", () => ({ status: "ok" as const }), {
      response: { 200: StatusSchema, ...errorAnswers(405) },
      detail: {
        summary: "Liveness: the process answers",
        description: "Always 200 while the process runs; for liveness probes.",
        tags: ["operations"],
      },
    })
    .get(
      "/ready",
      ({ set }) => {
        const health = store.health();
        if (health.ready) return { ready: true };
        set.status = 503;
        return { ready: false, reason: health.lastError ?? `${store.kind} store not connected yet` };
      },
      {
        response: { 200: ReadySchema, 503: ReadySchema, ...errorAnswers(405) },
        detail: {
          summary: "Readiness: the store is connected",
          description:
            "200 once the store is connected and writing; 503 with the reason otherwise (Cassandra unreachable, flushes failing).",
          tags: ["operations"],
        },
      },
    )
    .get(
      "/health",
      () => {
        const s = store.health();
        const st = stream();
        return {
          status: s.ready && st.lastError === undefined ? ("ok" as const) : ("degraded" as const),
          uptime_s: Math.round((Date.now() - startedAt) / 1000),
          store: { kind: store.kind, ready: s.ready, pending_events: s.pendingEvents, ...opt("last_error", s.lastError) },
          stream: {
            state: st.state,
            source: st.source,
            connections: st.connections,
            ...opt("last_event_at", st.lastEventAt),
            ...opt("last_error", st.lastError),
            ...opt("retry_in_ms", st.retryInMs),
          },
          ingest: { ...ingest },
          ...(lease ? { lease: lease() } : {}),
        };
      },
      {
        response: { 200: HealthSchema, ...errorAnswers(405) },
        detail: {
          summary: "Stream, store and ingest details for operators",
          description: "Unauthenticated. `ingest` tallies every stream event by outcome; only `counted` events reach /stats.",
          tags: ["operations"],
        },
      },
    );
}

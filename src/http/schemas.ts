// Request and response schemas of the API; they validate requests and document the OpenAPI spec.
import { t } from "elysia";

export const ErrorSchema = t.Object(
  { error: t.String({ description: "Machine-readable code" }), message: t.String() },
  { description: "Every error answer has this shape" },
);

export const LoginBody = t.Object(
  {
    username: t.String({ minLength: 1, maxLength: 128 }),
    password: t.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false, example: { username: "admin", password: "password123" } },
);

export const TokenSchema = t.Object({
  token: t.String({ description: "HS256 JWT to send as `Authorization: Bearer <token>`" }),
  token_type: t.Literal("Bearer"),
  expires_in: t.Integer({ description: "Seconds until the token expires" }),
}, { example: { token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsImV4cCI6MTc2NDMzMjAwMCwiaWF0IjoxNzY0MzI4NDAwfQ.c2lnbmF0dXJl", token_type: "Bearer", expires_in: 3600 } });

export const StatsSchema = t.Object({
  messages: t.Integer({ description: "Counted recentchange events (canaries and bad events excluded)" }),
  distinct_users: t.Integer({ description: "Distinct `user` names seen" }),
  bots: t.Integer({ description: "Events with bot == true" }),
  non_bots: t.Integer({ description: "All other counted events" }),
  by_server_url: t.Record(t.String(), t.Integer(), { description: "Counted events per server_url" }),
}, {
  example: { messages: 248, distinct_users: 159, bots: 64, non_bots: 184, by_server_url: { "https://en.wikipedia.org": 61, "https://www.wikidata.org": 58 } },
});

export const HistorySchema = t.Object({
  step_s: t.Integer({ description: "Seconds per point (1)" }),
  end: t.Integer({ description: "Unix seconds at the end of the last point" }),
  events: t.Array(t.Number(), { description: "Counted events per second, oldest first; up to 600 points (10 minutes)" }),
  stream: t.Object({
    state: t.String({ description: "As on /health: streaming, connecting, waiting, finished, ..." }),
    lag_s: t.Optional(t.Number({ description: "Now minus meta.dt of the last counted event" })),
  }),
  store: t.Object({ kind: t.String(), ready: t.Boolean(), pending_events: t.Integer() }),
}, {
  example: { step_s: 1, end: 1764328400, events: [41, 38.5, 52], stream: { state: "streaming", lag_s: 1.8 }, store: { kind: "cassandra", ready: true, pending_events: 37 } },
});

export const StatusSchema = t.Object({ status: t.Literal("ok") }, { example: { status: "ok" } });

export const ReadySchema = t.Object(
  { ready: t.Boolean(), reason: t.Optional(t.String()) },
  { example: { ready: false, reason: "cassandra store not connected yet" } },
);

export const HealthSchema = t.Object({
  status: t.Union([t.Literal("ok"), t.Literal("degraded")]),
  uptime_s: t.Number(),
  store: t.Object({
    kind: t.String(),
    ready: t.Boolean(),
    pending_events: t.Integer(),
    last_error: t.Optional(t.String()),
  }),
  stream: t.Object({
    state: t.String(),
    source: t.String(),
    connections: t.Integer(),
    last_event_at: t.Optional(t.String()),
    last_error: t.Optional(t.String()),
    retry_in_ms: t.Optional(t.Integer()),
  }),
  ingest: t.Record(t.String(), t.Integer(), { description: "Events by outcome: counted, canary, malformed, ..." }),
}, {
  example: {
    status: "ok", uptime_s: 3600,
    store: { kind: "cassandra", ready: true, pending_events: 37 },
    stream: { state: "streaming", source: "https://stream.wikimedia.org/v2/stream/recentchange", connections: 4, last_event_at: "2026-11-28T09:30:00.000Z" },
    ingest: { counted: 151234, canary: 60, malformed: 0, not_object: 0, error_frames: 0, other_types: 0, incomplete: 3, oversized: 0 },
  },
});

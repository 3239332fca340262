// Request and response schemas of the API; they validate requests and document the OpenAPI spec.
// Examples sit on properties: @elysiajs/swagger lifts an object's own options out of its schema.
import { t } from "elysia";

export const LoginBody = t.Object(
  {
    username: t.String({ minLength: 1, maxLength: 128, example: "admin" }),
    password: t.String({ minLength: 1, maxLength: 1024, example: "password123" }),
  },
  { additionalProperties: false },
);

export const TokenSchema = t.Object(
  {
    token: t.String({
      description: "HS256 JWT to send as `Authorization: Bearer <token>`",
      example: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsImV4cCI6MTc2NDMzMjAwMCwiaWF0IjoxNzY0MzI4NDAwfQ.c2lnbmF0dXJl",
    }),
    token_type: t.Literal("Bearer", { example: "Bearer" }),
    expires_in: t.Integer({ description: "Seconds until the token expires", example: 3600 }),
  },
  { description: "A bearer token for /stats and /stats/history" },
);

export const StatsSchema = t.Object(
  {
    messages: t.Integer({ description: "Counted recentchange events (canaries and bad events excluded)", example: 248 }),
    distinct_users: t.Integer({ description: "Distinct `user` names seen", example: 159 }),
    bots: t.Integer({ description: "Events with bot == true", example: 64 }),
    non_bots: t.Integer({ description: "All other counted events", example: 184 }),
    by_server_url: t.Record(t.String(), t.Integer(), {
      description: "Counted events per server_url",
      example: { "https://en.wikipedia.org": 111, "https://commons.wikimedia.org": 70 },
    }),
  },
  { description: "The totals since counting began, with an ETag" },
);

export const HistorySchema = t.Object(
  {
    step_s: t.Integer({ description: "Seconds per point (1)", example: 1 }),
    end: t.Integer({ description: "Unix seconds at the end of the last point", example: 1764328400 }),
    events: t.Array(t.Number(), {
      description: "Counted events per second, oldest first; up to 600 points (10 minutes)",
      example: [41, 38.5, 52],
    }),
    stream: t.Object(
      {
        state: t.String({ description: "As on /health: streaming, connecting, waiting, finished, ..." }),
        lag_s: t.Optional(t.Number({ description: "Now minus meta.dt of the last counted event" })),
      },
      { example: { state: "streaming", lag_s: 1.8 } },
    ),
    store: t.Object(
      { kind: t.String(), ready: t.Boolean(), pending_events: t.Integer() },
      { example: { kind: "cassandra", ready: true, pending_events: 37 } },
    ),
  },
  { description: "The per-second series of this process, with stream and store state" },
);

export const StatusSchema = t.Object({ status: t.Literal("ok", { example: "ok" }) }, { description: "The process is running" });

export const ReadySchema = t.Object(
  {
    ready: t.Boolean({ example: false }),
    reason: t.Optional(t.String({ description: "Why not ready (503 only)", example: "cassandra store not connected yet" })),
  },
  { description: "200 with ready: true, or 503 with ready: false and the reason" },
);

export const HealthSchema = t.Object(
  {
    status: t.Union([t.Literal("ok"), t.Literal("degraded")], { example: "ok" }),
    uptime_s: t.Number({ example: 3600 }),
    store: t.Object(
      {
        kind: t.String(),
        ready: t.Boolean(),
        pending_events: t.Integer(),
        last_error: t.Optional(t.String()),
      },
      { example: { kind: "cassandra", ready: true, pending_events: 37 } },
    ),
    stream: t.Object(
      {
        state: t.String(),
        source: t.String(),
        connections: t.Integer(),
        last_event_at: t.Optional(t.String()),
        last_error: t.Optional(t.String()),
        retry_in_ms: t.Optional(t.Integer()),
      },
      {
        example: {
          state: "streaming",
          source: "https://stream.wikimedia.org/v2/stream/recentchange",
          connections: 4,
          last_event_at: "2026-11-28T09:30:00.000Z",
        },
      },
    ),
    ingest: t.Record(t.String(), t.Integer(), {
      description:
        "Events by outcome: counted, canary, malformed, ...; no_event_time counts the counted events that fell at their arrival time",
      example: {
        counted: 151234,
        canary: 60,
        malformed: 0,
        not_object: 0,
        error_frames: 0,
        other_types: 0,
        incomplete: 3,
        oversized: 0,
        no_event_time: 0,
      },
    }),
    lease: t.Optional(
      t.Object(
        {
          role: t.Union([t.Literal("leader"), t.Literal("standby")]),
          holder: t.Optional(t.String({ description: "Instance id of the holder, when one is known" })),
          expires_in_ms: t.Integer({
            description: "Leader: how long the lease is certainly held; standby: until the holder's lease runs out unless renewed",
          }),
        },
        {
          description: "The ingest lease (Cassandra with ingest on): only the leader consumes the stream",
          example: { role: "standby", holder: "app-1-4242-9f3c2a1b", expires_in_ms: 7400 },
        },
      ),
    ),
  },
  { description: "Stream, store and ingest details" },
);

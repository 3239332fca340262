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
  { additionalProperties: false },
);

export const TokenSchema = t.Object({
  token: t.String({ description: "HS256 JWT to send as `Authorization: Bearer <token>`" }),
  token_type: t.Literal("Bearer"),
  expires_in: t.Integer({ description: "Seconds until the token expires" }),
});

export const StatsSchema = t.Object({
  messages: t.Integer({ description: "Counted recentchange events (canaries and bad events excluded)" }),
  distinct_users: t.Integer({ description: "Distinct `user` names seen" }),
  bots: t.Integer({ description: "Events with bot == true" }),
  non_bots: t.Integer({ description: "All other counted events" }),
  by_server_url: t.Record(t.String(), t.Integer(), { description: "Counted events per server_url" }),
});

export const StatusSchema = t.Object({ status: t.Literal("ok") });

export const ReadySchema = t.Object({ ready: t.Boolean(), reason: t.Optional(t.String()) });

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
  lease: t.Optional(t.Object({
    role: t.Union([t.Literal("leader"), t.Literal("standby")]),
    holder: t.Optional(t.String({ description: "Instance id of the holder, when one is known" })),
    expires_in_ms: t.Integer({ description: "Leader: how long the lease is certainly held; standby: until the holder's lease runs out unless renewed" }),
  }, { description: "The ingest lease (Cassandra with ingest on): only the leader consumes the stream" })),
});

// The windowed routes' parameters and answers, as TypeBox schemas for validation and the OpenAPI document.
import { t } from "elysia";
import { StatsSchema } from "./schemas.ts";

const TIME = "RFC 3339 (`2026-05-28T14:00:00Z`) or unix seconds";
const time = (what: string, example: string) => t.Optional(t.String({ description: `${what}: ${TIME}`, example }));

/** The range parameters of GET /stats; without them it answers the totals since counting began. */
export const StatsQuerySchema = t.Object(
  {
    from: time("Start of the range, a whole minute, inclusive", "2026-05-28T14:00:00Z"),
    to: time("End of the range, a whole minute, exclusive", "2026-05-28T15:00:00Z"),
    window: t.Optional(
      t.String({
        description: "Instead of from/to: this much time up to the end of the current minute (`90m`, `1h`, `24h`, `7d`)",
        example: "1h",
      }),
    ),
  },
  // Unknown parameters get a 400 naming them (window-routes.ts), not Elysia's generic one.
  { additionalProperties: true },
);

export const RangeStatsSchema = t.Composite(
  [
    StatsSchema,
    t.Object({
      from: t.String({ description: "Start of the range (RFC 3339)", example: "2026-05-28T14:00:00Z" }),
      to: t.String({ description: "End of the range, exclusive (RFC 3339)", example: "2026-05-28T15:00:00Z" }),
    }),
  ],
  { description: "The /stats figures for events whose event time (meta.dt) falls in [from, to)" },
);

export const TopQuerySchema = t.Object(
  {
    by: t.Optional(t.String({ description: "`user`, `page` (meta.uri) or `server_url`", example: "user" })),
    from: time("Start of the range, a whole hour, inclusive", "2026-05-28T00:00:00Z"),
    to: time("End of the range, a whole hour, exclusive", "2026-05-29T00:00:00Z"),
    limit: t.Optional(t.String({ description: "How many keys, 1 to 1,000 (default 10)", example: "10" })),
    bot: t.Optional(t.String({ description: "`true`: bot events only; `false`: human events only", example: "false" })),
  },
  // Unknown parameters get a 400 naming them (window-routes.ts), not Elysia's generic one.
  { additionalProperties: true },
);

export const TopSchema = t.Object(
  {
    by: t.String({ example: "user" }),
    from: t.String({ example: "2026-05-28T00:00:00Z" }),
    to: t.String({ example: "2026-05-29T00:00:00Z" }),
    items: t.Array(t.Object({ key: t.String(), count: t.Integer() }), {
      example: [
        { key: "Example", count: 42 },
        { key: "Another editor", count: 17 },
      ],
    }),
  },
  { description: "The keys with the most counted events in [from, to)" },
);

export const SeriesQuerySchema = t.Object(
  {
    from: time("Start, a multiple of step", "2026-05-28T00:00:00Z"),
    to: time("End, exclusive, a multiple of step", "2026-05-28T01:00:00Z"),
    step: t.Optional(t.String({ description: "Seconds per point: 60, 300, 900, 3600 or 86400", example: "60" })),
    server_url: t.Optional(t.String({ description: "Only this wiki's events", example: "https://en.wikipedia.org" })),
  },
  // Unknown parameters get a 400 naming them (window-routes.ts), not Elysia's generic one.
  { additionalProperties: true },
);

const Point = t.Object({
  t: t.String({ description: "Start of the step (RFC 3339)", example: "2026-05-28T00:00:00Z" }),
  messages: t.Integer({ example: 3000 }),
  bots: t.Integer({ example: 600 }),
  non_bots: t.Integer({ example: 2400 }),
  distinct_users: t.Integer({ example: 900 }),
});

export const SeriesSchema = t.Object(
  {
    from: t.String({ example: "2026-05-28T00:00:00Z" }),
    to: t.String({ example: "2026-05-28T01:00:00Z" }),
    step_s: t.Integer({ example: 60 }),
    points: t.Array(Point, { example: [{ t: "2026-05-28T00:00:00Z", messages: 3000, bots: 600, non_bots: 2400, distinct_users: 900 }] }),
  },
  { description: "One point per step of event time from `from`, zeros included" },
);

// GET /stats and /stats/history: the totals and the dashboard's live series, for bearer tokens only.
import { Elysia, t } from "elysia";
import type { EventHistory } from "../dashboard/history.ts";
import { lagSeconds } from "../metrics/lag.ts";
import type { StatsStore } from "../store/stats-store.ts";
import type { StreamStatus } from "../stream/index.ts";
import type { BearerAuth } from "./bearer-auth.ts";
import { errorAnswers } from "./openapi.ts";
import { opt } from "./optional-field.ts";
import { HistorySchema, StatsSchema } from "./schemas.ts";
import type { StatsRoute } from "./stats-route.ts";
import { RangeStatsSchema, StatsQuerySchema } from "./window-schemas.ts";

interface StatsRoutesOptions {
  stats: StatsRoute;
  auth: BearerAuth;
  history: EventHistory;
  store: StatsStore;
  stream: () => StreamStatus;
  /** `meta.dt` of the last counted event (stream lag). */
  lastEventDt: () => string | undefined;
}

export function statsRoutes({ stats, auth, history, store, stream, lastEventDt }: StatsRoutesOptions) {
  return (
    new Elysia({ name: "stats-routes" })
      // Bun's router serves GET /stats (StatsRoute.native, installed by createApp); this route documents
      // it, and answers HEAD and app.handle. `request.headers` rather than Elysia's `headers`, which
      // copies every header.
      .get("/stats", ({ request }) => stats.answer(request), {
        query: StatsQuerySchema,
        response: {
          200: t.Union([StatsSchema, RangeStatsSchema], {
            description: "The totals since counting began, or, with a range, those of the range with its from and to",
            example: { messages: 248, distinct_users: 159, bots: 64, non_bots: 184, by_server_url: { "https://en.wikipedia.org": 111 } },
          }),
          ...errorAnswers(400, 401, 405, 501),
        },
        detail: {
          summary: "Totals since counting began, or of a range of event time",
          description:
            "Without parameters: the totals since counting began; these answers carry an ETag (send it back in If-None-Match to get 304 Not Modified while the totals are unchanged). With `from` and `to` (whole minutes) or `window`: the same figures for events whose meta.dt falls in [from, to), with `from` and `to`.",
          tags: ["stats"],
          security: [{ bearerAuth: [] }],
        },
      })
      .get(
        "/stats/history",
        async ({ request }) => {
          await auth.authorize(request);
          const st = stream();
          const s = store.health();
          const lag = lagSeconds(lastEventDt(), Date.now());
          return {
            ...history.series(),
            stream: { state: st.state, ...opt("lag_s", lag === undefined ? undefined : Math.round(lag * 10) / 10) },
            store: { kind: store.kind, ready: s.ready, pending_events: s.pendingEvents },
          };
        },
        {
          response: { 200: HistorySchema, ...errorAnswers(401, 405) },
          detail: {
            summary: "Counted events per second over the last 10 minutes, with stream and store state",
            description: "The dashboard's live series: one point per second, kept in a ring buffer in memory (this process only).",
            tags: ["stats"],
            security: [{ bearerAuth: [] }],
          },
        },
      )
  );
}

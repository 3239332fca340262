// The windowed questions: /stats?from&to (or window=), /stats/top and /stats/series, for bearer tokens only.
// Parameters are parsed by windows/ranges.ts, so a store is only asked for ranges it answers exactly.
import { Elysia } from "elysia";
import type { StatsStore } from "../store/stats-store.ts";
import { type Query, QueryError, rfc3339, seriesQuery, shown, statsRange, topQuery } from "../windows/ranges.ts";
import type { WindowQueries } from "../windows/types.ts";
import type { BearerAuth } from "./bearer-auth.ts";
import { HttpError } from "./errors.ts";
import { errorAnswers } from "./openapi.ts";
import { SeriesQuerySchema, SeriesSchema, TopQuerySchema, TopSchema } from "./window-schemas.ts";

const JSON_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store" };

function windowsOf(store: StatsStore): WindowQueries {
  if (store.windows === undefined) throw new HttpError(501, "not_implemented", "time windows need storage: in-memory");
  return store.windows;
}

/** The parameters a route takes; any other is a 400 naming it, so a misspelt one is never silently ignored. */
function only<Q extends Query>(query: Q, route: string, names: readonly string[]): Q {
  for (const name of Object.keys(query))
    if (!names.includes(name)) throw new QueryError(name, `${route} takes no parameter ${shown(name)}; it takes ${names.join(", ")}`);
  return query;
}

function queryOf(request: Request): Query {
  return Object.fromEntries(new URL(request.url).searchParams);
}

/**
 * GET /stats with a query string: the totals of a range, or undefined when the query names none (a
 * bare `?`): the caller answers the all-time totals. The caller has authorised the request.
 */
export async function rangedStats(store: StatsStore, request: Request): Promise<Response | undefined> {
  const query = only(queryOf(request), "/stats", ["from", "to", "window"]);
  if (Object.keys(query).length === 0) return undefined;
  const windows = windowsOf(store);
  const range = statsRange(query, Date.now(), windows.retentionMs);
  if (range === undefined) return undefined;
  const stats = await windows.rangeStats(range.fromMs, range.toMs);
  const body = { ...stats, from: rfc3339(range.fromMs), to: rfc3339(range.toMs) };
  return new Response(JSON.stringify(body), { headers: JSON_HEADERS });
}

export function windowRoutes(store: StatsStore, auth: BearerAuth) {
  const security = [{ bearerAuth: [] }];
  return new Elysia({ name: "window-routes" })
    .get(
      "/stats/top",
      async ({ request, query }) => {
        await auth.authorize(request);
        const windows = windowsOf(store);
        const q = topQuery(only(query, "/stats/top", ["by", "from", "to", "limit", "bot"]), windows.retentionMs);
        const items = await windows.top(q.by, q.fromMs, q.toMs, q.limit, q.bot);
        return { by: q.by, from: rfc3339(q.fromMs), to: rfc3339(q.toMs), items };
      },
      {
        query: TopQuerySchema,
        response: { 200: TopSchema, ...errorAnswers(400, 401, 405, 501) },
        detail: {
          summary: "The keys with the most events in a range of whole hours",
          description:
            "Users, pages (`meta.uri`) or server URLs by counted events in [from, to), count descending, ties by key in code-point order. `bot=false` ranks human events only, `bot=true` bot events only.",
          tags: ["stats"],
          security,
        },
      },
    )
    .get(
      "/stats/series",
      async ({ request, query }) => {
        await auth.authorize(request);
        const windows = windowsOf(store);
        const q = seriesQuery(only(query, "/stats/series", ["from", "to", "step", "server_url"]), windows.retentionMs);
        const points = await windows.series(q.fromMs, q.toMs, q.stepMs, q.serverUrl);
        return {
          from: rfc3339(q.fromMs),
          to: rfc3339(q.toMs),
          step_s: q.stepMs / 1000,
          points: points.map(({ tMs, ...counts }) => ({ t: rfc3339(tMs), ...counts })),
        };
      },
      {
        query: SeriesQuerySchema,
        response: { 200: SeriesSchema, ...errorAnswers(400, 401, 405, 501) },
        detail: {
          summary: "Counted events per step of event time",
          description: "One point per step from `from`, zeros included; `server_url` narrows every figure to one wiki.",
          tags: ["stats"],
          security,
        },
      },
    );
}

// GET /metrics: open like /health by default; with metrics_token set, only for that bearer token.
import { timingSafeEqual } from "node:crypto";
import { Elysia, t } from "elysia";
import type { Metrics } from "../metrics/metrics.ts";
import { bearerToken } from "./bearer.ts";
import { UnauthorizedError } from "./errors.ts";
import { errorAnswers } from "./openapi.ts";

export function metricsRoute(metrics: Metrics, token: string | undefined) {
  const expected = token === undefined ? undefined : Buffer.from(token);
  return new Elysia({ name: "metrics-route" }).get(
    "/metrics",
    async ({ request }) => {
      if (expected !== undefined) {
        const given = Buffer.from(bearerToken(request.headers.get("authorization") ?? undefined));
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          throw new UnauthorizedError("wrong metrics token", "invalid_token");
        }
      }
      const { body, contentType } = await metrics.scrape();
      return new Response(body, { headers: { "Content-Type": contentType } });
    },
    {
      response: {
        200: t.String({
          description: "Metrics in the Prometheus text format",
          example: '# TYPE wikitally_events_total counter\nwikitally_events_total{outcome="counted"} 248\n',
        }),
        ...errorAnswers(401, 405),
      },
      detail: {
        summary: "Prometheus metrics (text exposition format)",
        description:
          "Open by default; when `metrics_token` is configured, send it as `Authorization: Bearer <metrics_token>`. Counters and gauges are read from the service's state at scrape time.",
        tags: ["operations"],
      },
    },
  );
}

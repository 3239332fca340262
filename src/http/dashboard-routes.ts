// The dashboard at `/`: one page, its script and style, and uPlot, all embedded in the binary.
import { Elysia, t } from "elysia";
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "file" };
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "file" };
import css from "../dashboard/page/dashboard.css" with { type: "text" };
import page from "../dashboard/page/index.html" with { type: "text" };
import chart from "../dashboard/page/chart.js" with { type: "text" };
import js from "../dashboard/page/dashboard.js" with { type: "text" };
import { errorAnswers } from "./openapi.ts";
import { NOSNIFF, PAGE_HEADERS } from "./security-headers.ts";

// bun-types declares *.html imports as HTML bundles; with type "text" Bun gives the file's text.
const html = page as unknown as string;
/** Vendored files never change within a version; the page itself is revalidated. */
const LIBRARY = "public, max-age=86400";
const hidden = { detail: { hide: true } };

const headers = (type: string, cache: string) => ({ "Content-Type": `${type}; charset=utf-8`, "Cache-Control": cache, ...NOSNIFF });
const text = (body: string, type: string) => () => new Response(body, { headers: headers(type, "no-cache") });
const file = (path: string, type: string) => () => new Response(Bun.file(path), { headers: headers(type, LIBRARY) });

export function dashboardRoutes() {
  return new Elysia({ name: "dashboard" })
    .get("/", () => new Response(html, { headers: { ...headers("text/html", "no-cache"), ...PAGE_HEADERS } }), {
      response: { 200: t.String({ description: "The dashboard page (HTML)", example: "<!doctype html>…" }), ...errorAnswers(405) },
      detail: {
        summary: "The dashboard (HTML): log in, then watch the totals and events per second",
        description:
          "A page served from the binary; its script polls `/stats` and `/stats/history` every second with the token it obtained from `/login`.",
        tags: ["dashboard"],
      },
    })
    .get("/dashboard/dashboard.js", text(js, "text/javascript"), hidden)
    .get("/dashboard/chart.js", text(chart, "text/javascript"), hidden)
    .get("/dashboard/dashboard.css", text(css, "text/css"), hidden)
    .get("/dashboard/uplot.js", file(uplotJs, "text/javascript"), hidden)
    .get("/dashboard/uplot.css", file(uplotCss, "text/css"), hidden);
}

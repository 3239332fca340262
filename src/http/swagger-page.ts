// Swagger UI at /swagger from pinned swagger-ui-dist files embedded in the binary: the docs render offline.
import { Elysia } from "elysia";
import bundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import css from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import { SERVICE_NAME } from "../version.ts";
import { NOSNIFF, PAGE_HEADERS } from "./security-headers.ts";

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${SERVICE_NAME} API</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/swagger/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/swagger/assets/swagger-ui-bundle.js"></script>
  <script src="/swagger/assets/swagger-init.js"></script>
</body>
</html>`;

// A served file rather than an inline script, so the policy needs no 'unsafe-inline' for scripts.
// validatorUrl: null, or Swagger UI asks validator.swagger.io to check the spec and shows a badge.
const INIT = `window.ui = SwaggerUIBundle({ url: "/swagger/json", dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true });\n`;

const CACHE = "public, max-age=86400";
const typed = (type: string, cache: string) => ({ "Content-Type": `${type}; charset=utf-8`, "Cache-Control": cache, ...NOSNIFF });
const asset = (path: string, type: string) => () => new Response(Bun.file(path), { headers: typed(type, CACHE) });
const hidden = { detail: { hide: true } };

/** Use after @elysiajs/swagger: this /swagger replaces its page, which loads its scripts from a CDN. */
export function swaggerPage() {
  return new Elysia({ name: "swagger-page" })
    .get("/swagger", () => new Response(PAGE, { headers: { "Content-Type": "text/html; charset=utf-8", ...PAGE_HEADERS } }), hidden)
    .get("/swagger/assets/swagger-ui-bundle.js", asset(bundle, "text/javascript"), hidden)
    .get("/swagger/assets/swagger-init.js", () => new Response(INIT, { headers: typed("text/javascript", "no-cache") }), hidden)
    .get("/swagger/assets/swagger-ui.css", asset(css, "text/css"), hidden);
}

// Swagger UI at /swagger from pinned swagger-ui-dist files embedded in the binary: the docs render offline.
import { Elysia } from "elysia";
import bundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import css from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import { SERVICE_NAME } from "../version.ts";

// validatorUrl: null, or Swagger UI asks validator.swagger.io to check the spec and shows a badge.
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
  <script>
    window.ui = SwaggerUIBundle({ url: "/swagger/json", dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true });
  </script>
</body>
</html>`;

const asset = (path: string, type: string) => () =>
  new Response(Bun.file(path), { headers: { "Content-Type": `${type}; charset=utf-8`, "Cache-Control": "public, max-age=86400" } });
const hidden = { detail: { hide: true } };

/** Use after @elysiajs/swagger: this /swagger replaces its page, which loads its scripts from a CDN. */
export function swaggerPage() {
  return new Elysia({ name: "swagger-page" })
    .get("/swagger", () => new Response(PAGE, { headers: { "Content-Type": "text/html; charset=utf-8" } }), hidden)
    .get("/swagger/assets/swagger-ui-bundle.js", asset(bundle, "text/javascript"), hidden)
    .get("/swagger/assets/swagger-ui.css", asset(css, "text/css"), hidden);
}

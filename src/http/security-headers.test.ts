// The exact headers of the pages and page assets a browser loads: the policy and nosniff on each.
import { describe, expect, test } from "bun:test";
import { testApp } from "../../test/helpers/app.ts";

const app = testApp();

// Spelled out rather than imported, so a change to the policy has to change this test too.
const POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src data:; "
  + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const PAGE = { "content-security-policy": POLICY, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
const OWN = "no-cache";
const LIBRARY = "public, max-age=86400";
const asset = (type: string, cache: string) => ({
  "content-type": `${type}; charset=utf-8`,
  "cache-control": cache,
  "x-content-type-options": "nosniff",
});

async function headersOf(path: string): Promise<Record<string, string>> {
  const response = await app.handle(new Request(`http://localhost${path}`));
  expect(response.status).toBe(200);
  await response.arrayBuffer();
  return Object.fromEntries(response.headers);
}

describe("page security headers", () => {
  test("the dashboard page: the policy, nosniff and no-referrer", async () => {
    expect(await headersOf("/")).toEqual({ "content-type": "text/html; charset=utf-8", "cache-control": OWN, ...PAGE });
  });

  test.each([
    ["/dashboard/dashboard.js", "text/javascript", OWN],
    ["/dashboard/chart.js", "text/javascript", OWN],
    ["/dashboard/dashboard.css", "text/css", OWN],
    ["/dashboard/uplot.js", "text/javascript", LIBRARY],
    ["/dashboard/uplot.css", "text/css", LIBRARY],
  ])("the dashboard's %s: its type, caching and nosniff", async (path, type, cache) => {
    expect(await headersOf(path)).toEqual(asset(type, cache));
  });

  test("/swagger: the same policy, nosniff and no-referrer", async () => {
    expect(await headersOf("/swagger")).toEqual({ "content-type": "text/html; charset=utf-8", ...PAGE });
  });

  test.each([
    ["/swagger/assets/swagger-ui-bundle.js", "text/javascript", LIBRARY],
    ["/swagger/assets/swagger-init.js", "text/javascript", OWN],
    ["/swagger/assets/swagger-ui.css", "text/css", LIBRARY],
  ])("Swagger UI's %s: its type, caching and nosniff", async (path, type, cache) => {
    expect(await headersOf(path)).toEqual(asset(type, cache));
  });

  test("neither page has an inline script or style, which the policy would block", async () => {
    for (const path of ["/", "/swagger"]) {
      const html = await (await app.handle(new Request(`http://localhost${path}`))).text();
      // Every <script> has a src and is empty; no <style> element, no style or on* attribute.
      expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
      expect(html.match(/<script[^>]*>[^<]+<\/script>/g)).toBeNull();
      expect(html.match(/<style[\s>]|\sstyle=|\son[a-z]+=/gi)).toBeNull();
    }
  });
});

// /swagger in a real browser with every other host blocked: the API docs render from the binary's own assets,
// under a Content-Security-Policy that blocks nothing Swagger UI does.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningService } from "../../src/service.ts";
import { guardedPage, launchBrowser, screenshot, type TestBrowser } from "../helpers/browser.ts";
import { fixtureFiles } from "../helpers/fixtures.ts";
import { startTestService } from "../helpers/service.ts";

let browser: TestBrowser;
let service: RunningService;

beforeAll(async () => {
  // The browser first: without one the file fails before anything else is started.
  browser = await launchBrowser();
  ({ service } = await startTestService({ STREAM_URL: fixtureFiles()[0]! }));
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe("/swagger", () => {
  test("renders every route, /login and /stats included, without any other host", async () => {
    const base = `http://127.0.0.1:${service.port}`;
    const g = await guardedPage(browser.browser, base);
    // CSP violations from before the page's first script runs.
    await g.page.evaluateOnNewDocument(
      `window.cspViolations = []; document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI));`,
    );
    await g.page.goto(`${base}/swagger`);
    await g.page.waitForSelector(".opblock-summary-path", { timeout: 15_000 });
    const paths = await g.page.$$eval(".opblock-summary-path", (els) => els.map((el) => el.getAttribute("data-path")));
    for (const path of ["/login", "/stats", "/stats/history", "/metrics", "/health", "/ready", "/status"]) expect(paths).toContain(path);

    // Opening /login shows its documented error answers.
    await g.page.click('.opblock-post .opblock-summary-path[data-path="/login"]');
    await g.page.waitForSelector(".opblock.is-open .responses-table");
    const statuses = await g.page.$$eval(".opblock.is-open .response-col_status", (els) => els.map((el) => el.textContent?.trim()));
    expect(statuses).toEqual(expect.arrayContaining(["200", "400", "401", "405", "413", "429", "503"]));
    await screenshot(g.page, "swagger");
    expect(await g.page.evaluate("window.cspViolations")).toEqual([]);
    expect(g.foreign).toEqual([]);
    expect(g.errors).toEqual([]);
    await g.page.close();
  });
});

// The dashboard in a real browser: log in through the form, live numbers equal /stats, the chart is drawn, nothing leaves the host,
// the page's Content-Security-Policy blocks nothing it needs, and stream data shows as text, never as markup.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync } from "node:fs";
import { SignJWT } from "jose";
import type { RunningService } from "../../src/service.ts";
import { launchBrowser, guardedPage, screenshot, type GuardedPage, type TestBrowser } from "../helpers/browser.ts";
import { fixturePayloads } from "../helpers/fixtures.ts";
import { getStats, login, TEST_ADMIN, TEST_SECRET, waitFor, startTestService } from "../helpers/service.ts";
import { startSseServer, type SseServer } from "../helpers/sse-server.ts";

// The callbacks below run in the page; the project's types have no DOM, so these say what they use.
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  activeElement: { getAttribute(name: string): string | null } | null;
};
type Canvas = {
  width: number;
  height: number;
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
};

const payloads = fixturePayloads();
const README_SCREENSHOT = `${import.meta.dir}/dashboard.png`;
const STATS = ["messages", "distinct_users", "bots", "non_bots"] as const;
let browser: TestBrowser;
let server: SseServer;
let service: RunningService;
let base: string;

beforeAll(async () => {
  browser = await launchBrowser();
  // Paced, so the chart shows a few seconds of flow rather than one spike.
  server = startSseServer({ payloads, maxChunk: 4000, chunkDelayMs: 15, seed: 3, script: [{ kind: "events", end: "hold" }] });
  ({ service, base } = await startTestService({ STREAM_URL: server.url }));
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  server?.stop();
});

const shownNumber = (g: GuardedPage, key: string) =>
  g.page.$eval(`[data-stat="${key}"]`, (el) => Number((el.textContent ?? "").replace(/[^0-9]/g, "") || NaN));

/** Records the page's CSP violations from before its first script runs; read them with cspViolations(). */
const recordCspViolations = (g: GuardedPage) =>
  g.page.evaluateOnNewDocument(
    `window.cspViolations = []; document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI));`,
  );
const cspViolations = (g: GuardedPage) => g.page.evaluate("window.cspViolations") as Promise<string[]>;

async function logIn(g: GuardedPage, at = base) {
  await g.page.goto(`${at}/`);
  await g.page.type("input[name=username]", TEST_ADMIN.username);
  await g.page.type("input[name=password]", TEST_ADMIN.password);
  await g.page.keyboard.press("Enter");
  await g.page.waitForSelector("#dashboard-view:not([hidden])");
}

/** Pixels of the chart's canvas in the series colour (the accent blue): the line was drawn. */
function seriesPixels(g: GuardedPage): Promise<number> {
  return g.page.$eval("#chart canvas", (canvas) => {
    const c = canvas as unknown as Canvas;
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 2]! > 200 && data[i]! < 120 && data[i + 3]! > 200) n++;
    return n;
  });
}

describe("the dashboard", () => {
  test("logs in through the form on Enter, shows /stats' numbers and draws the events-per-second chart", async () => {
    const g = await guardedPage(browser.browser, base);
    await recordCspViolations(g);
    await logIn(g);
    const token = await login(base);
    const stats = await waitFor(
      () => getStats(base, token),
      (s) => s.messages === payloads.length,
      20_000,
      "all events",
    );
    // The page polls every second; it must settle on exactly the served totals.
    await waitFor(
      () => shownNumber(g, "messages"),
      (n) => n === stats.messages,
      10_000,
      "the page's messages",
    );
    for (const key of STATS) expect(await shownNumber(g, key)).toBe(stats[key]);

    await waitFor(
      () => seriesPixels(g),
      (n) => n > 50,
      10_000,
      "the series drawn on the chart",
    );
    expect(await g.page.$$eval("#top-wikis li", (items) => items.length)).toBe(Math.min(10, Object.keys(stats.by_server_url).length));
    const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
    expect(await g.page.$eval("#bot-share", (el) => el.textContent)).toBe(percent.format(stats.bots / stats.messages));
    expect(await g.page.$eval("#stream-state", (el) => el.textContent)).toBe("streaming");
    expect(await g.page.$eval("#store-state", (el) => el.textContent)).toBe("in-memory: ready");

    const shot = await screenshot(g.page, "dashboard");
    // The README's picture: refreshed on request, so ordinary runs leave the work tree clean.
    if (process.env.UPDATE_README_SCREENSHOT === "1") copyFileSync(shot, README_SCREENSHOT);
    await g.page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
    await Bun.sleep(1200);
    await screenshot(g.page, "dashboard-dark");
    await g.page.setViewport({ width: 390, height: 844 });
    await Bun.sleep(300);
    await screenshot(g.page, "dashboard-phone");
    // The chart follows the narrow width instead of overflowing it.
    expect(await g.page.$eval("#chart canvas", (c) => c.getBoundingClientRect().width)).toBeLessThanOrEqual(390);

    expect(await cspViolations(g)).toEqual([]);
    expect(g.foreign).toEqual([]);
    expect(g.errors).toEqual([]);
    await g.page.close();
  });

  test("logs out, and an expired token returns to the form", async () => {
    const g = await guardedPage(browser.browser, base);
    await logIn(g);
    await g.page.click("#logout");
    await g.page.waitForSelector("#login-view:not([hidden])");
    expect(await g.page.evaluate(() => sessionStorage.length)).toBe(0);

    const expired = await new SignJWT({ sub: TEST_ADMIN.username })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_SECRET));
    await g.page.evaluate((t) => sessionStorage.setItem("wikitally.token", t), expired);
    await g.page.reload();
    await g.page.waitForSelector("#login-view:not([hidden])");
    expect(await g.page.$eval("#login-message", (el) => el.textContent)).toContain("expired");
    expect(await g.page.evaluate(() => sessionStorage.getItem("wikitally.token"))).toBeNull();
    expect(g.foreign).toEqual([]);
    await g.page.close();
  });

  test("works from the keyboard alone; shows the server's reason for a wrong password, and stays on the form", async () => {
    const g = await guardedPage(browser.browser, base);
    await g.page.goto(`${base}/`);
    // The username field has the focus on arrival; Tab leads to the password.
    await g.page.keyboard.type("admin");
    await g.page.keyboard.press("Tab");
    expect(await g.page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("password");
    await g.page.keyboard.type("not the password");
    await g.page.keyboard.press("Enter");
    await g.page.waitForFunction(() => document.querySelector("#login-message")?.textContent !== "");
    expect(await g.page.$eval("#login-message", (el) => el.textContent)).toBe("invalid username or password");
    expect(await g.page.$eval("#dashboard-view", (el) => (el as unknown as { hidden: boolean }).hidden)).toBe(true);
    await g.page.close();
  });
});

// Markup that runs script if a page parses it as HTML: each sets window.xss and opens a dialog.
const HOSTILE_USERS = ["<img src=x onerror=alert(1)>", "<script>window.xss=5</script>"];
const HOSTILE_URLS = ['https://<img src=x onerror="window.xss=1;alert(1)">.example.org', '<svg onload="window.xss=2;alert(2)">'];

describe("stream data in the dashboard", () => {
  let hostileServer: SseServer;
  let hostile: RunningService;
  let hostileBase: string;

  beforeAll(async () => {
    const event = (serverUrl: string, user: string) =>
      JSON.stringify({
        meta: { uri: "javascript:alert(3)", domain: "<b>x</b>", dt: new Date().toISOString() },
        title: "<script>alert(4)</script>",
        user,
        bot: false,
        server_url: serverUrl,
      });
    const events = HOSTILE_URLS.flatMap((url) => HOSTILE_USERS.map((user) => event(url, user)));
    hostileServer = startSseServer({ payloads: events, script: [{ kind: "events", end: "hold" }] });
    ({ service: hostile, base: hostileBase } = await startTestService({ STREAM_URL: hostileServer.url }));
  });

  afterAll(async () => {
    await hostile?.stop();
    hostileServer?.stop();
  });

  test("hostile server URLs and user names show as text: no element is made of them and nothing runs", async () => {
    const g = await guardedPage(browser.browser, hostileBase);
    const dialogs: string[] = [];
    g.page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await recordCspViolations(g);
    await logIn(g, hostileBase);
    const token = await login(hostileBase);
    const all = HOSTILE_URLS.length * HOSTILE_USERS.length;
    const stats = await waitFor(
      () => getStats(hostileBase, token),
      (s) => s.messages === all,
      10_000,
      "the hostile events",
    );
    expect(Object.keys(stats.by_server_url).sort()).toEqual([...HOSTILE_URLS].sort());
    expect(stats.distinct_users).toBe(HOSTILE_USERS.length);

    const shown = () => g.page.$$eval("#top-wikis li span:first-child", (els) => els.map((el) => el.textContent));
    const names = await waitFor(shown, (n) => n.length === HOSTILE_URLS.length, 10_000, "the top wikis");
    // The page drops only the scheme; the rest is the stream's text, character for character.
    expect(names.sort()).toEqual(HOSTILE_URLS.map((url) => url.replace(/^https?:\/\//, "")).sort());
    // Another poll: an image's onerror fires once its load has failed, after the list is drawn.
    await Bun.sleep(1200);

    expect(await g.page.evaluate("document.querySelectorAll('img, svg, script:not([src]), b').length")).toBe(0);
    // As text, markup is escaped in the page's HTML; no user name is shown at all, and none as markup.
    const html = (await g.page.evaluate("document.documentElement.outerHTML")) as string;
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<svg");
    expect(html).toContain("&lt;svg onload=");
    for (const user of HOSTILE_USERS) expect(html).not.toContain(user.slice(1));
    expect(await g.page.evaluate("window.xss")).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await cspViolations(g)).toEqual([]);
    expect(g.foreign).toEqual([]);
    expect(g.errors).toEqual([]);
    await g.page.close();
  });
});

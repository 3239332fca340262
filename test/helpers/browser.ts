// A headless Debian chromium driven by puppeteer-core, with every request to another host blocked and recorded.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

/** Screenshots for review; never committed (.cache/ is ignored). */
const SCREENSHOTS = resolve(import.meta.dir, "../../.cache/screenshots");

/** chromium from CHROMIUM_PATH or PATH; a missing browser fails the test with how to get one (never a skip). */
function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? Bun.which("chromium") ?? Bun.which("chromium-browser");
  if (!path) {
    throw new Error(
      "browser tests need chromium: `apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary",
    );
  }
  return path;
}

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** One browser per test file: launching is the slow part (see test/browser/README.md). */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "wikitally-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start. The rest keep Chromium
    // from calling home (updates, sync, QUIC probes), which the tests would count as foreign requests.
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface GuardedPage {
  page: Page;
  /** URLs the page asked for on any other origin; each was answered with a network error. */
  foreign: string[];
  /** Uncaught errors, console errors and failed (4xx/5xx) responses of the page. */
  errors: string[];
}

/** A new page that may only talk to `origin`; anything else is aborted and recorded. */
export async function guardedPage(browser: Browser, origin: string, viewport = { width: 1280, height: 900 }): Promise<GuardedPage> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const foreign: string[] = [];
  const errors: string[] = [];
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = request.url();
    if (url.startsWith(`${origin}/`) || url.startsWith("data:") || url.startsWith("blob:")) {
      void request.continue();
    } else {
      foreign.push(url);
      void request.abort("blockedbyclient");
    }
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return { page, foreign, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: path as `${string}.png`, fullPage: true });
  return path;
}

/**
 * End-to-end tests: the whole app on a real loopback port (embedded PGlite, as `deno task start`
 * runs it) driven by headless Debian Chromium. Each test gets a fresh database, app and browser;
 * screenshots land in `tests/e2e/screenshots/` (ignored by git) for people to look at.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { assertEquals } from "../assert.ts";
import { databaseTargets } from "../db_harness.ts";
import { type TestApp, withApp } from "../app_harness.ts";
import { browserTestName, hasChromium, launchChromium } from "../chromium.ts";

const SCREENSHOTS = new URL("./screenshots/", import.meta.url);

/** What an end-to-end test works with. */
export interface E2E {
  app: TestApp;
  browser: Browser;
  /** A page in a JavaScript-enabled context, failing the test on page errors. */
  page: Page;
  /** Opens a new context (e.g. `{ javaScriptEnabled: false }`). */
  context(options?: Parameters<Browser["newContext"]>[0]): Promise<BrowserContext>;
  /** Saves a full-page screenshot as `screenshots/<name>.png`. */
  shot(name: string, page?: Page): Promise<void>;
  /** `app.url` + path. */
  url(path: string): string;
}

/** Registers one Chromium test on a fresh app (embedded PGlite) with `env` as its environment. */
export function e2eTest(
  name: string,
  fn: (t: E2E) => Promise<void>,
  env: Record<string, string> = {},
): void {
  const pglite = databaseTargets().find((t) => t.name === "pglite")!;
  Deno.test({
    name: browserTestName(name),
    ignore: !hasChromium,
    // playwright keeps a pipe and timers of its own until the process exits.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      await using db = await pglite.open();
      await withApp(db, async (app) => {
        const browser = await launchChromium();
        const problems: string[] = [];
        try {
          const context = await browser.newContext({
            baseURL: app.url,
            viewport: { width: 1280, height: 800 },
          });
          const page = await context.newPage();
          page.on("pageerror", (err) => problems.push(err.message));
          await fn({
            app,
            browser,
            page,
            context: (options) => browser.newContext({ baseURL: app.url, ...options }),
            async shot(shotName, target = page) {
              await target.screenshot({
                path: new URL(`${shotName}.png`, SCREENSHOTS).pathname,
                fullPage: true,
              });
            },
            url: (path) => app.url + path,
          });
        } finally {
          await browser.close();
        }
        if (problems.length) throw new Error(`Errors in the page: ${problems.join("; ")}`);
      }, { env });
    },
  });
}

/** A file for `setInputFiles` made in the test. */
export function fileOf(
  name: string,
  text: string,
): { name: string; mimeType: string; buffer: Buffer } {
  return { name, mimeType: "text/csv", buffer: Buffer.from(text) };
}

/** The path of a file under `examples/`. */
export function example(name: string): string {
  return new URL(`../../examples/${name}`, import.meta.url).pathname;
}

/** Reads an expected file under `tests/e2e/expected/`. */
export function expected(name: string): Promise<string> {
  return Deno.readTextFile(new URL(`./expected/${name}`, import.meta.url));
}

/**
 * Requires every island on the page to hydrate: waits until the client runtime's count
 * (`<html data-frsh-hydrated>`) reaches the number of island start markers in the page, then
 * asserts the two are equal. Returns that number, for the caller to check too.
 */
export async function assertIslandsHydrated(page: Page): Promise<number> {
  const markers = await page.evaluate(() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_COMMENT);
    const found: string[] = [];
    while (walker.nextNode()) {
      const data = (walker.currentNode as Comment).data;
      if (/^frsh-[^:]+:\d+:/.test(data)) found.push(data);
    }
    return found;
  });
  const hydrated = () =>
    page.evaluate(() => Number(document.documentElement.dataset.frshHydrated ?? 0));
  // A timeout is not the failure itself: the assertion below says what is missing.
  await page.waitForFunction(
    (n) => Number(document.documentElement.dataset.frshHydrated ?? 0) >= n,
    markers.length,
    { timeout: 10_000 },
  ).catch(() => {});
  assertEquals(
    await hydrated(),
    markers.length,
    `islands hydrated on ${new URL(page.url()).pathname} (markers: ${markers.join(", ")})`,
  );
  return markers.length;
}

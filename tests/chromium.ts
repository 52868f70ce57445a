/**
 * Headless Debian Chromium for browser tests, driven by playwright-core (no bundled browser).
 *
 * @module
 */
import type { Browser } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** True when Chromium is installed here; browser tests register as ignored otherwise. */
export const hasChromium: boolean = await Deno.stat(CHROMIUM_PATH).then(
  (s) => s.isFile,
  () => false,
);

/** A test name that says why it is skipped when Chromium is missing. */
export function browserTestName(name: string): string {
  return hasChromium ? name : `${name} (skipped: ${CHROMIUM_PATH} is not installed)`;
}

/** Launches headless Chromium with the quiet flags a test machine needs (no network chatter). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

import { assertEquals } from "../tests/assert.ts";
import { browserTestName, hasChromium, launchChromium } from "../tests/chromium.ts";
import { createHandler } from "./server.ts";
import manifest from "../tests/fixtures/fresh_app/fresh.gen.ts";

Deno.test({
  name: browserTestName("islands hydrate in Chromium with their server props"),
  ignore: !hasChromium,
  // playwright keeps a pipe and timers of its own until the process exits.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const handler = await createHandler(manifest);
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (err) => problems.push(err.message));
      page.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));
      await page.goto(`http://127.0.0.1:${server.addr.port}/island`);

      // The server renders the button disabled; only the hydrated island enables it.
      const outer = page.locator(".counter").first();
      await outer.locator("button:enabled").waitFor({ timeout: 10_000 });
      await outer.locator("button").click();
      await outer.locator("output", { hasText: "clicks: 4" }).waitFor({ timeout: 5_000 });

      // The Counter inside Outer is hydrated as part of Outer, with Outer's props.
      const inner = page.locator(".outer .counter");
      await inner.locator("button").click();
      await inner.locator("output", { hasText: "inner: 11" }).waitFor({ timeout: 5_000 });
      assertEquals(await page.locator(".outer h2").textContent(), "outer");
      assertEquals(await page.locator("mark").textContent(), "</script><b>\u2028");

      // Hydration kept the markers and did not duplicate island content.
      assertEquals(await page.locator(".counter").count(), 2);
      const markers = await page.evaluate(() => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_COMMENT);
        const out: string[] = [];
        while (walker.nextNode()) out.push((walker.currentNode as Comment).data);
        return out;
      });
      assertEquals(markers, [
        "frsh-counter_default:0:",
        "/frsh-counter_default:0:",
        "frsh-outer_default:1:",
        "/frsh-outer_default:1:",
        "frsh-outer_badge:2:",
        "/frsh-outer_badge:2:",
      ]);
      assertEquals(problems, []);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});

/**
 * The Content-Security-Policy in a real browser, with authentication on: signing in through the
 * form, the islands hydrating under `script-src 'self'`, their cookie-authenticated API calls
 * passing the CSRF check, and an injected inline script being blocked.
 */
import { assert, assertEquals } from "../assert.ts";
import { AUTH_ENV } from "../auth/fixtures.ts";
import { assertIslandsHydrated, e2eTest, example } from "./harness.ts";

e2eTest("islands hydrate and call the API under the CSP after signing in", async (t) => {
  const { page } = t;
  const consoleProblems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || /Content Security Policy/i.test(msg.text())) {
      consoleProblems.push(msg.text());
    }
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const violations = () =>
    page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);

  await page.goto(t.url("/upload/facilities"));
  assertEquals(new URL(page.url()).pathname, "/login");
  assertEquals(await assertIslandsHydrated(page), 0);
  await page.fill("input[name=name]", "ada");
  await page.fill("input[name=password]", "ada-pw");
  await page.click(".login-form button[type=submit]");
  await page.waitForURL(/\/upload\/facilities$/);
  assertEquals(await page.locator(".account .muted").textContent(), "ada (admin)");
  assertEquals(await assertIslandsHydrated(page), 1);

  // Only the hydrated island offers drag and drop.
  await page.getByText("Drop CSV, TSV, JSON or Excel files here").waitFor({ timeout: 20_000 });
  await page.check("input[name=mode][value=staged]");
  await page.setInputFiles("input[type=file]", [example("facilities_changes.csv")]);
  await page.click(".upload-form button[type=submit]");
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}\/review$/, { timeout: 30_000 });

  assertEquals(await assertIslandsHydrated(page), 1);
  // ReviewActions saves an exclusion through the API (cookie + Origin), then commits.
  await page.locator("tr.row-new").first().locator("input[type=checkbox]").check();
  await page.locator(".commit-bar p", { hasText: "1 excluded" }).first().waitFor();
  await page.click("button[value=commit]");
  await page.locator("dialog[open] button", { hasText: "Commit now" }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  assertEquals(await page.locator("h1 .badge").textContent(), "Imported");
  // The admin's committed run offers Revert, an island too.
  assertEquals(await assertIslandsHydrated(page), 1);
  assertEquals(await violations(), [], "nothing of ours was blocked");

  // The policy is really enforced: a script injected into the page does not run.
  const ran = await page.evaluate(async () => {
    const script = document.createElement("script");
    script.textContent = "window.__injected = true";
    document.body.append(script);
    await new Promise((resolve) => setTimeout(resolve, 0));
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  assertEquals(ran, false);
  const blocked = await violations();
  assert(blocked.some((v) => v.startsWith("script-src")), JSON.stringify(blocked));
  assert(
    consoleProblems.every((p) => /Content Security Policy/i.test(p)),
    consoleProblems.join("\n"),
  );
}, AUTH_ENV);

/**
 * Every island on every page hydrates (a server-rendered island that never hydrates looks right
 * and silently skips its client behaviour), and the Revert button of a committed run asks first.
 */
import { assertEquals } from "../assert.ts";
import { assertIslandsHydrated, e2eTest, example } from "./harness.ts";

e2eTest("every island on every page hydrates; Revert asks before it reverts", async (t) => {
  const { page, app } = t;
  const upload = async (file: string, type: string, mode: "direct" | "staged") => {
    const res = await app.upload(type, await Deno.readFile(example(file)), { mode });
    const body = await res.json();
    // A failed run comes back as an error that names the run.
    return (body.id ?? body.error.details.runId) as string;
  };
  const committed = await upload("facilities_clean.csv", "facilities", "direct");
  const staged = await upload("facilities_changes.csv", "facilities", "staged");
  const failed = await upload("emissions_missing_column.csv", "emissions", "direct");
  // A run that stays active (nobody sends its file): its page and the history follow it live.
  const { id: active } = await app.services.store.createRun({
    id: crypto.randomUUID(),
    uploadType: "facilities",
    mode: "direct",
    fileName: "slow.csv",
    contentType: "text/csv",
    actor: null,
    traceId: null,
  });
  const status = async (id: string) =>
    (await (await page.request.get(`/api/v1/runs/${id}`)).json()).status;
  assertEquals(
    await Promise.all([committed, staged, failed].map(status)),
    ["committed", "staged", "failed"],
  );

  // Path → how many islands it renders; each must hydrate.
  const pages: Array<[string, number]> = [
    ["/", 0],
    ["/upload/facilities", 1],
    ["/runs", 1],
    [`/runs/${active}`, 1],
    [`/runs/${committed}`, 1],
    [`/runs/${staged}`, 0],
    [`/runs/${staged}/review`, 1],
    [`/runs/${failed}`, 0],
  ];
  for (const [path, islands] of pages) {
    await page.goto(t.url(path));
    assertEquals(await assertIslandsHydrated(page), islands, path);
  }

  // Revert opens the dialog and posts nothing; Cancel leaves the run committed.
  await page.goto(t.url(`/runs/${committed}`));
  await assertIslandsHydrated(page);
  await page.click("button[value=revert]");
  const dialog = page.locator("dialog[open]");
  await dialog.waitFor({ timeout: 5_000 });
  assertEquals(await dialog.locator("h2").textContent(), "Revert this import?");
  await t.shot("run-revert-confirm");
  assertEquals(await status(committed), "committed");
  await dialog.locator("button", { hasText: "Cancel" }).click();
  await dialog.waitFor({ state: "detached" });
  assertEquals(await status(committed), "committed");

  // The dialog fits a phone's screen.
  const phone = await (await t.context({ viewport: { width: 390, height: 844 }, isMobile: true }))
    .newPage();
  await phone.goto(t.url(`/runs/${committed}`));
  await assertIslandsHydrated(phone);
  await phone.click("button[value=revert]");
  await phone.locator("dialog[open]").waitFor();
  await t.shot("phone-revert-confirm", phone);
  await phone.close();

  // Confirmed, it reverts.
  await page.click("button[value=revert]");
  await dialog.locator("button", { hasText: "Revert now" }).click();
  await page.locator("h1 .badge", { hasText: "Reverted" }).waitFor({ timeout: 10_000 });
  assertEquals(await status(committed), "reverted");
  assertEquals(await assertIslandsHydrated(page), 0);
});

/**
 * Mapping before upload: with JavaScript the page reads a file's headers and shows where each
 * goes before anything is sent (unknown headers, missing columns, two file columns for one column
 * refused, the first rows as they will be stored); without JavaScript a header mismatch leads to
 * the page's own mapping step, and the file chosen again is imported with those columns.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { e2eTest, example, fileOf } from "./harness.ts";

/** Emissions under headers of their own: "Jahr" and "Comment" match no column. */
const FILE = fileOf(
  "inventory.csv",
  [
    "Facility,Jahr,Pollutant,Amount,Unit,Reported,Comment",
    "ABC-000001,2024,co2,12.50,t,2025-03-31,first",
    "ABC-000002,2024,nox,7,kg,,second",
    "ABC-000003,2024,SO2,-1,t,2025-02-30,third",
  ].join("\n") + "\n",
);

const RUN_PAGE = /\/runs\/[0-9a-f-]{36}$/;
const REVIEW_PAGE = /\/runs\/[0-9a-f-]{36}\/review$/;

e2eTest("with JavaScript the mapping is shown and checked before the file is sent", async (t) => {
  const { page, app } = t;
  await app.upload("facilities", await Deno.readFile(example("facilities_clean.csv")));
  let sent = 0;
  page.on("request", (r) => r.url().includes("/api/v1/uploads/") && sent++);
  await page.goto(t.url("/upload/emissions"));
  await page.setInputFiles("input[type=file]", FILE);
  await page.click("button[type=submit]");
  const mapper = page.locator("section.mapper");
  await mapper.waitFor();
  const select = (header: string) => mapper.locator(`select[aria-label='Import "${header}" as']`);
  // Matched by name and suggested by likeness; the unknown headers say so.
  assertEquals(await select("Facility").inputValue(), "facility_id");
  assertEquals(await select("Reported").inputValue(), "reported_on");
  assertEquals(await select("Jahr").inputValue(), "");
  assertEquals(
    await mapper.locator("tbody tr", { hasText: "unknown header" }).locator("strong")
      .allTextContents(),
    ["Jahr", "Reported", "Comment"],
  );
  assertEquals(await mapper.locator("[role=alert]").textContent(), "Still missing: Year");
  const confirm = mapper.locator("button", { hasText: "Import with these columns" });
  assert(await confirm.isDisabled());

  // Two file columns for one column are refused, with a message.
  await select("Jahr").selectOption("year");
  await select("Comment").selectOption("year");
  assertEquals(
    await mapper.locator("[role=alert]").textContent(),
    '"Jahr" and "Comment" both go to Year: one column of the file per column',
  );
  assert(await confirm.isDisabled());
  await t.shot("mapping-two-for-one");

  // The preview shows the values as they will be stored, and why a value will be refused.
  await select("Comment").selectOption("notes");
  assertEquals(await mapper.locator("[role=alert]").count(), 0);
  assertEquals(await mapper.locator("table.preview thead th").allTextContents(), [
    "Facility ID",
    "Year",
    "Pollutant",
    "Amount",
    "Unit",
    "Reported on",
    "Notes",
  ]);
  const first = mapper.locator("table.preview tbody tr").nth(0).locator("td");
  assertEquals(await first.allTextContents(), [
    "ABC-000001",
    "2024",
    "CO2",
    "12.50",
    "t",
    "2025-03-31",
    "first",
  ]);
  const third = mapper.locator("table.preview tbody tr").nth(2);
  assertEquals(await third.locator("td.cell-invalid").count(), 2, "amount below 0, no 30 Feb");
  assertMatch(await third.locator("td.cell-invalid").nth(1).textContent() ?? "", /real date/);
  await t.shot("mapping-preview");
  // At phone width the step's tables scroll in their boxes; the page does not.
  await page.setViewportSize({ width: 390, height: 844 });
  await t.shot("mapping-preview-390");
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert(scroll <= client, `the mapping step is ${scroll}px wide at ${client}px`);
  await page.setViewportSize({ width: 1280, height: 800 });
  assertEquals(sent, 0, "nothing sent before the mapping is confirmed");

  await confirm.click();
  await page.waitForURL(REVIEW_PAGE, { timeout: 30_000 });
  const runId = page.url().split("/").at(-2)!;
  const run = await (await page.request.get(`/api/v1/runs/${runId}`)).json();
  assertEquals(run.columns, [
    "facility_id",
    "year",
    "pollutant",
    "amount",
    "unit",
    "reported_on",
    "notes",
  ]);
  assertEquals([run.counts.new, run.counts.invalid], [2, 1]);
});

e2eTest("without JavaScript a header mismatch leads to the page's mapping step", async (t) => {
  const { app } = t;
  await app.upload("facilities", await Deno.readFile(example("facilities_clean.csv")));
  const context = await t.context({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(t.url("/upload/emissions"));
  await page.check("input[name=mode][value=staged]");
  await page.setInputFiles("input[type=file]", FILE);
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST"),
    page.click("button[type=submit]"),
  ]);
  assertEquals(refused.status(), 422);
  assertEquals(new URL(page.url()).pathname, "/upload/emissions");
  const step = page.locator("form.mapper");
  assertEquals(await step.locator("h2").textContent(), "Match the columns of inventory.csv");
  const select = (header: string) => step.locator(`select[aria-label='Import "${header}" as']`);
  assertEquals(await select("Facility").inputValue(), "facility_id");
  assertEquals(await select("Jahr").inputValue(), "");
  assertEquals(await step.locator("[role=alert]").textContent(), "Still missing: Year");
  await t.shot("mapping-step-nojs", page);

  // Two file columns for one column: the step comes back with the message.
  await select("Jahr").selectOption("year");
  await select("Comment").selectOption("year");
  const [again] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST"),
    step.locator("button", { hasText: "Use these columns" }).click(),
  ]);
  assertEquals(again.status(), 422);
  await page.waitForLoadState();
  assertEquals(
    await page.locator("form.mapper [role=alert]").textContent(),
    '"Jahr" and "Comment" both go to Year: one column of the file per column',
  );
  assertEquals(await select("Comment").inputValue(), "year", "the choice is kept");

  await select("Comment").selectOption("notes");
  await step.locator("button", { hasText: "Use these columns" }).click();
  const chosen = page.locator("section.mapper", { hasText: "Columns chosen" });
  await chosen.waitFor();
  assertMatch(await chosen.textContent() ?? "", /Jahr → Year/);
  await t.shot("mapping-chosen-nojs", page);

  // The file chosen again goes with those columns.
  await page.check("input[name=mode][value=staged]");
  await page.setInputFiles("input[type=file]", FILE);
  await page.click("button[type=submit]");
  await page.waitForURL(RUN_PAGE);
  await page.locator("h1 .badge", { hasText: "Ready for review" }).waitFor({ timeout: 15_000 });
  const runId = page.url().split("/").at(-1)!;
  const run = await (await page.request.get(`/api/v1/runs/${runId}`)).json();
  assertEquals(run.ignoredColumns, []);
  assertEquals([run.counts.new, run.counts.invalid], [2, 1]);
});

/**
 * The upload and review UI in headless Chromium: staged review with diffs, cell errors, an
 * excluded row and a confirmed commit; direct import; a missing column; over-size files; live
 * upload progress; batch upload; a stale review; column mapping for CSV, Excel and JSON files;
 * and the whole flow with JavaScript disabled.
 */
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { writeXlsx } from "../xlsx_writer.ts";
import { e2eTest, example, expected, fileOf } from "./harness.ts";

const RUN_PAGE = /\/runs\/[0-9a-f-]{36}$/;
const REVIEW_PAGE = /\/runs\/[0-9a-f-]{36}\/review$/;

/** Uploads files through the page's form in the given mode and waits for the next page. */
async function upload(page: Page, files: string[], mode: "staged" | "direct", next: RegExp) {
  await page.check(`input[name=mode][value=${mode}]`);
  await page.setInputFiles("input[type=file]", files);
  await page.click("button[type=submit]");
  await page.waitForURL(next, { timeout: 30_000 });
}

/** The tab counts of the review page, e.g. `{ new: 3, changed: 3, … }`. */
async function tabCounts(page: Page): Promise<Record<string, number>> {
  const tabs = await page.locator("nav.tabs a").allTextContents();
  return Object.fromEntries(
    tabs.map((t) => t.match(/^(\w+) \(([\d,]+)\)$/)!)
      .map((m) => [m[1], Number(m[2].replaceAll(",", ""))]),
  );
}

async function exportCsv(page: Page, type: string): Promise<string> {
  const res = await page.request.get(`/api/v1/upload-types/${type}/export.csv`);
  assertEquals(res.status(), 200);
  return await res.text();
}

e2eTest(
  "staged review: counts, diffs, cell errors, an excluded row, a confirmed commit",
  async (t) => {
    const { page } = t;
    await page.goto(t.url("/"));
    await t.shot("home-empty");
    await page.click("a[href='/upload/facilities']");
    await t.shot("upload");
    await upload(page, [example("facilities_clean.csv")], "direct", RUN_PAGE);
    assertEquals(await page.locator("h1 .badge").textContent(), "Imported");
    await t.shot("run-imported");

    await page.goto(t.url("/upload/facilities"));
    await upload(page, [example("facilities_changes.csv")], "staged", REVIEW_PAGE);
    assertEquals(await tabCounts(page), { All: 14, new: 3, changed: 3, unchanged: 4, invalid: 4 });

    // Every field change the API reports is shown as old → new in its cell.
    const runId = page.url().split("/").at(-2)!;
    const rows = (await (await page.request.get(`/api/v1/runs/${runId}/rows`)).json()).rows;
    const changes = rows.flatMap((r: { changes: { old: unknown; new: unknown }[] }) => r.changes);
    assert(changes.length >= 3, "changed rows have field changes");
    const shown = await page.locator("td.cell-changed").allTextContents();
    assertEquals(shown.length, changes.length);
    for (const c of changes) {
      assert(shown.includes(`${c.old ?? ""} → ${c.new ?? ""}`), `${c.old} → ${c.new} shown`);
    }
    const cellErrors = await page.locator(".cell-invalid .cell-error").allTextContents();
    assert(cellErrors.some((e) => e.includes("at most 90")), cellErrors.join(" | "));
    assert(
      (await page.locator(".row-invalid").allTextContents()).some((r) => r.includes("Duplicate")),
      "duplicate key shown on its row",
    );
    await t.shot("review");

    // Exclude the first new row: saved at once, and the summary follows.
    const firstNew = page.locator("tr.row-new").first();
    const excludedKey = await firstNew.locator("td").nth(3).textContent();
    await firstNew.locator("input[type=checkbox]").check();
    await page.locator(".commit-bar p", { hasText: "1 excluded" }).first().waitFor();
    await page.click("button[value=commit]");
    const dialog = page.locator("dialog[open]");
    await dialog.waitFor();
    assertEquals(
      await dialog.locator("p").first().textContent(),
      "Commit will apply 2 new and 3 changed rows; 1 excluded, 4 unchanged and 4 invalid will be skipped.",
    );
    await t.shot("review-confirm");
    await dialog.locator("button", { hasText: "Commit now" }).click();
    await page.waitForURL(RUN_PAGE);
    assertEquals(await page.locator("h1 .badge").textContent(), "Imported");

    const exported = await exportCsv(page, "facilities");
    assertEquals(exported, await expected("facilities_after_review.csv"));
    assert(!exported.includes(`${excludedKey},`), "the excluded row was not imported");
    await page.goto(t.url("/runs"));
    assertEquals(await page.locator("tbody tr").count(), 2);
    await t.shot("history");
  },
);

e2eTest("emissions: direct clean file, staged changes by tab, commit", async (t) => {
  const { page } = t;
  // Emissions reference facilities: the register comes first.
  await page.goto(t.url("/upload/facilities"));
  await upload(page, [example("facilities_clean.csv")], "direct", RUN_PAGE);
  await page.goto(t.url("/upload/emissions"));
  await upload(page, [example("emissions_clean.csv")], "direct", RUN_PAGE);
  assertEquals(await page.locator("h1 .badge").textContent(), "Imported");
  assertMatch(await page.locator(".counts").textContent() ?? "", /40/);

  await page.goto(t.url("/upload/emissions"));
  await upload(page, [example("emissions_changes.csv")], "staged", REVIEW_PAGE);
  assertEquals(await tabCounts(page), { All: 19, new: 4, changed: 4, unchanged: 5, invalid: 6 });
  await page.click("nav.tabs a:text-is('changed (4)')");
  await page.waitForURL(/action=changed/);
  assertEquals(await page.locator("tbody tr").count(), 4);
  assertEquals(await page.locator("tbody tr.row-changed").count(), 4);
  await page.click("nav.tabs a:text-is('invalid (6)')");
  await page.waitForURL(/action=invalid/);
  const errors = await page.locator("tbody").textContent() ?? "";
  assert(errors.includes("1234.5"), "the thousands-separator message suggests a fix");
  await t.shot("review-invalid");
  await page.click("button[value=commit]");
  await page.locator("dialog[open] button", { hasText: "Commit now" }).click();
  await page.waitForURL(RUN_PAGE);
  assertEquals(await exportCsv(page, "emissions"), await expected("emissions_after_review.csv"));
});

e2eTest("a file with a missing required column shows the missing column", async (t) => {
  // In the browser the mapping step names what is missing before anything is sent.
  const { page } = t;
  await page.goto(t.url("/upload/emissions"));
  await page.setInputFiles("input[type=file]", example("emissions_missing_column.csv"));
  await page.click("button[type=submit]");
  const mapper = page.locator("section.mapper");
  await mapper.waitFor();
  assertEquals(await mapper.locator("[role=alert]").textContent(), "Still missing: Amount");
  assert(await mapper.locator("button", { hasText: "Import" }).isDisabled());
  await t.shot("upload-missing-column");

  // Sent without JavaScript, the page's own mapping step names it (tests/e2e/mapping_test.ts).
  const context = await t.context({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto(t.url("/upload/emissions"));
  await plain.setInputFiles("input[type=file]", example("emissions_missing_column.csv"));
  await plain.click("button[type=submit]");
  const step = plain.locator("form.mapper [role=alert]");
  await step.waitFor();
  assertEquals(await step.textContent(), "Still missing: Amount");

  // Sent through the API, the server refuses it and the run page lists the column.
  const res = await t.app.upload(
    "emissions",
    await Deno.readFile(example("emissions_missing_column.csv")),
  );
  const runId = (await res.json()).error.details.runId;
  await plain.goto(t.url(`/runs/${runId}`));
  assertEquals(await plain.locator("h1 .badge").textContent(), "Failed");
  const panel = plain.locator(".error-panel");
  assertEquals(await panel.locator("h3").first().textContent(), "Missing required columns");
  assertEquals(await panel.locator("ul.chips").first().locator("li").allTextContents(), [
    "amount",
  ]);
  await t.shot("run-failed", plain);
});

e2eTest("an over-size file is refused in the browser and by the server", async (t) => {
  const { page } = t;
  await page.goto(t.url("/upload/facilities"));
  // 406 KB: over the limit by more than the multipart allowance, so refused before a run exists.
  const big = "facility_id,name\n" + "ABC-000001,x\n".repeat(32_000);
  await page.setInputFiles("input[type=file]", fileOf("big.csv", big));
  await page.click("button[type=submit]");
  const alert = page.locator(".upload-item [role=alert]");
  await alert.waitFor();
  assertMatch(await alert.textContent() ?? "", /406\.3 KB is over the limit of 195\.3 KB/);
  await t.shot("upload-too-large");

  // The server refuses it too, when a client skips the check.
  const status = await page.evaluate(async (text) => {
    const form = new FormData();
    form.set("file", new File([text], "big.csv", { type: "text/csv" }));
    const res = await fetch("/api/v1/uploads/facilities", { method: "POST", body: form });
    return [res.status, (await res.json()).error.type];
  }, big);
  assertEquals(status, [413, "file_too_large"]);
  const runs = await (await page.request.get("/api/v1/runs")).json();
  assertEquals(runs.runs.length, 0, "nothing was created");
}, { INTAKE_MAX_FILE_BYTES: "200000" });

e2eTest("upload progress moves, then processing, then the review page", async (t) => {
  const { page } = t;
  // 20,000 valid facilities (about 1.4 MB) sent at 256 KB/s: seconds of visible progress.
  const lines = ["facility_id,name,county,latitude,longitude,opened_on,active"];
  for (let i = 1; i <= 20_000; i++) {
    lines.push(`ZZZ-${String(i).padStart(6, "0")},Site ${i},Kent,51.5,-0.1,2001-02-03,yes`);
  }
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 256 * 1024,
  });
  await page.goto(t.url("/upload/facilities"));
  await page.setInputFiles("input[type=file]", fileOf("many.csv", lines.join("\n")));
  await page.click("button[type=submit]");
  const seen = new Set<number>();
  const texts = new Set<string>();
  let shot = false;
  while (!REVIEW_PAGE.test(page.url())) {
    const item = await page.locator(".upload-item").first().textContent().catch(() => null);
    const value = await page.locator(".upload-item progress").first()
      .evaluate((p: HTMLProgressElement) => p.value, undefined, { timeout: 200 })
      .catch(() => null);
    if (value !== null) seen.add(value);
    if (item) texts.add(item.replace(/[\d.,]+/g, "#"));
    if (value !== null && value >= 10 && value <= 50 && !shot) {
      shot = true;
      await t.shot("upload-progress");
      // Meanwhile the history page follows the active run live.
      const history = await page.context().newPage();
      await history.goto(t.url("/runs"));
      await history.locator("td .live-rows").waitFor({ timeout: 5_000 });
      await t.shot("history-live", history);
      await history.close();
    }
    await page.waitForTimeout(100);
  }
  const partial = [...seen].filter((v) => v > 0 && v < 100);
  assert(partial.length >= 2, `the progress bar moved: ${[...seen]}`);
  assert([...texts].some((x) => x.includes("KB/s")), [...texts].join(" | "));
  assertEquals((await tabCounts(page)).new, 20_000);
  assertEquals(await page.locator("tbody tr").count(), 100, "paged on the server");
  await page.click("nav.pager a:text-is('Next 100 rows')");
  await page.waitForURL(/cursor=/);
  assertEquals(
    (await page.locator("nav.pager span.muted").textContent())?.replace(/\s+/g, " ").trim(),
    "100 of 20,000 rows (file rows 102–201)",
  );
  await page.click("nav.pager a:text-is('First rows')");
  await page.waitForURL(REVIEW_PAGE);
  assertEquals(await page.locator("tbody tr td.num").first().textContent(), "2");
});

e2eTest("several files at once: one run each, listed with their outcome", async (t) => {
  const { page } = t;
  await page.goto(t.url("/upload/facilities"));
  await page.setInputFiles("input[type=file]", [
    example("facilities_clean.csv"),
    example("facilities_changes.csv"),
    example("emissions_clean.csv"),
  ]);
  await page.click("button[type=submit]");
  const items = page.locator(".upload-item");
  await page.locator(
    ".upload-item:nth-child(3).upload-done, .upload-item:nth-child(3).upload-failed",
  )
    .waitFor({ timeout: 30_000 });
  await page.locator(".upload-item.upload-waiting, .upload-item.upload-sending").count()
    .then((n) => assertEquals(n, 0));
  assertEquals(await items.count(), 3);
  const text = await items.allTextContents();
  assertMatch(text[0], /facilities_clean\.csv.*20 new/);
  assertMatch(text[1], /facilities_changes\.csv.*invalid/);
  assertMatch(text[2], /emissions_clean\.csv.*(header|column)/i);
  assertEquals(new URL(page.url()).pathname, "/upload/facilities", "a batch stays on the page");
  await t.shot("upload-batch");
  const runs = (await (await page.request.get("/api/v1/runs")).json()).runs;
  assertEquals(runs.length, 3);
  await items.nth(1).locator("a", { hasText: "Review" }).click();
  await page.waitForURL(REVIEW_PAGE);
  await page.click("button[value=discard]");
  const dialog = page.locator("dialog[open]");
  assertEquals(await dialog.locator("h2").textContent(), "Discard this upload?");
  await dialog.locator("button", { hasText: "Discard now" }).click();
  await page.waitForURL(RUN_PAGE);
  assertEquals(await page.locator("h1 .badge").textContent(), "Discarded");
});

e2eTest("a stale review says which rows changed and can be refreshed", async (t) => {
  const { page, app } = t;
  await app.upload("facilities", await Deno.readFile(example("facilities_clean.csv")));
  await page.goto(t.url("/upload/facilities"));
  await upload(page, [example("facilities_changes.csv")], "staged", REVIEW_PAGE);
  // Someone else changes a staged row's target in the meantime.
  const current = await exportCsv(page, "facilities");
  const abc2 = current.split("\r\n").find((l) => l.startsWith("ABC-000002,"))!;
  const res = await app.upload(
    "facilities",
    `${current.split("\r\n")[0]}\n${abc2.replace(",South Plant,", ",South Plant Works,")}\n`,
  );
  assertEquals(res.status, 201);
  await res.body?.cancel();

  await page.click("button[value=commit]");
  await page.locator("dialog[open] button", { hasText: "Commit now" }).click();
  const panel = page.locator(".error-panel");
  await panel.waitFor();
  assertMatch(await panel.textContent() ?? "", /changed since this run was staged/);
  assertMatch(
    await page.locator("form p", { hasText: "changed in the table" }).textContent() ?? "",
    /Rows 6\b/,
  );
  await t.shot("review-stale");
  await page.click("button[value=refresh]");
  await panel.waitFor({ state: "detached" });
  await page.click("button[value=commit]");
  await page.locator("dialog[open] button", { hasText: "Commit now" }).click();
  await page.waitForURL(RUN_PAGE);
  assertEquals(await page.locator("h1 .badge").textContent(), "Imported");
});

e2eTest("without JavaScript: form upload, self-refreshing run page, review, commit", async (t) => {
  const context = await t.context({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(t.url("/upload/facilities"));
  await upload(page, [example("facilities_clean.csv")], "direct", RUN_PAGE);
  await page.locator("h1 .badge", { hasText: "Imported" }).waitFor({ timeout: 15_000 });

  await page.goto(t.url("/upload/facilities"));
  await upload(page, [example("facilities_changes.csv")], "staged", RUN_PAGE);
  await page.locator("h1 .badge", { hasText: "Ready for review" }).waitFor({ timeout: 15_000 });
  await t.shot("run-staged-nojs", page);
  await page.click("a.button:text-is('Review')");
  await page.waitForURL(REVIEW_PAGE);
  await page.locator("tr.row-new input[type=checkbox]").first().check();
  await page.click("button[value=commit]");
  await page.waitForURL(RUN_PAGE);
  assertEquals(await page.locator("h1 .badge").textContent(), "Imported");
  assertEquals(await exportCsv(page, "facilities"), await expected("facilities_after_review.csv"));

  // The server refuses an over-size file and says why on the page.
  await page.goto(t.url("/upload/facilities"));
  const big = "facility_id\n" + "ABC-000001\n".repeat(30_000);
  await page.setInputFiles("input[type=file]", fileOf("big.csv", big));
  await page.click("button[type=submit]");
  await page.locator(".error-panel h2", { hasText: "too large" }).waitFor();
  await t.shot("upload-too-large-nojs", page);
}, { INTAKE_MAX_FILE_BYTES: "200000" });

e2eTest("pages read well at phone width", async (t) => {
  const { app } = t;
  await app.upload("facilities", await Deno.readFile(example("facilities_clean.csv")));
  const res = await app.upload(
    "facilities",
    await Deno.readFile(example("facilities_changes.csv")),
    { mode: "staged" },
  );
  const run = await res.json();
  const context = await t.context({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  for (
    const [name, path] of [
      ["phone-home", "/"],
      ["phone-upload", "/upload/facilities"],
      ["phone-history", "/runs"],
      ["phone-run", `/runs/${run.id}`],
      ["phone-review", `/runs/${run.id}/review`],
    ]
  ) {
    await page.goto(t.url(path));
    // Nothing but the tables (which scroll in their own box) may be wider than the screen.
    await t.shot(name, page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(overflow <= 390, `${path} is ${overflow}px wide`);
  }
});

e2eTest(
  "headers that do not match: map the columns once, the next file starts from it",
  async (t) => {
    const { page } = t;
    const csv = [
      "Site,Site name,Region,Comment",
      "ABC-000001,North Plant,Kent,first",
      "ABC-000002,South Plant,Essex,",
    ].join("\n");
    await page.goto(t.url("/upload/facilities"));
    await page.setInputFiles("input[type=file]", fileOf("own-headers.csv", csv));
    await page.click("button[type=submit]");
    const mapper = page.locator("section.mapper");
    await mapper.waitFor();
    // "Site" and "Site name" are suggested from the sampled values and names; Region needs a person.
    assertEquals(await mapper.locator("select").nth(0).inputValue(), "facility_id");
    assertEquals(await mapper.locator("select").nth(1).inputValue(), "name");
    await mapper.locator("select").nth(2).selectOption("county");
    assertEquals(await mapper.locator("table.preview thead th").allTextContents(), [
      "Facility ID",
      "Name",
      "County",
    ]);
    assertEquals(
      await mapper.locator("table.preview tbody tr").first().locator("td").allTextContents(),
      [
        "ABC-000001",
        "North Plant",
        "Kent",
      ],
    );
    await t.shot("upload-mapping");
    await mapper.locator("button", { hasText: "Import with these columns" }).click();
    await page.waitForURL(REVIEW_PAGE);
    assertEquals((await tabCounts(page)).new, 2);
    assert((await page.locator("tbody").textContent())?.includes("Essex"), "mapped county shown");
    // The review shows the mapping chosen, and committing the run saves it.
    assertMatch(await page.locator("section.mapping-used").textContent() ?? "", /chosen/);
    await page.click("button[value=commit]");
    await page.locator("dialog[open] button", { hasText: "Commit now" }).click();
    await page.waitForURL(RUN_PAGE);

    // The same headers again: the mapping step starts from the saved mapping, to confirm.
    await page.goto(t.url("/upload/facilities"));
    await upload(page, [example("facilities_clean.csv")], "direct", RUN_PAGE);
    await page.goto(t.url("/upload/facilities"));
    await page.setInputFiles(
      "input[type=file]",
      fileOf("again.csv", csv.replace("first", "second")),
    );
    await page.click("button[type=submit]");
    await mapper.waitFor();
    assertMatch(await mapper.locator(".mapper-saved").textContent() ?? "", /shared column mapping/);
    assertEquals(
      await Promise.all([0, 1, 2, 3].map((i) => mapper.locator("select").nth(i).inputValue())),
      ["facility_id", "name", "county", ""],
    );
    await mapper.locator("button", { hasText: "Import with these columns" }).click();
    await page.waitForURL(REVIEW_PAGE);
    assertMatch(await page.locator("section.mapping-used").textContent() ?? "", /Saved mapping #/);
  },
);

e2eTest(
  "a workbook with renamed columns is mapped in the browser; JSON alike starts from it",
  async (t) => {
    const { page } = t;
    const inspected: string[] = [];
    page.on("request", (r) => r.url().endsWith("/inspect") && inspected.push(r.url()));
    const header = ["Site", "Site name", "County", "Opened", "Comment"];
    const book = await writeXlsx([{
      name: "Sites",
      rows: [
        header,
        ["ABC-000001", "North Plant", "Kent", new Date("2001-02-03T00:00:00Z"), "first"],
        ["ABC-000002", "South Plant", "Essex", null, null],
      ],
    }]);
    await page.goto(t.url("/upload/facilities"));
    await page.setInputFiles("input[type=file]", {
      name: "sites.xlsx",
      mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      buffer: Buffer.from(book),
    });
    await page.click("button[type=submit]");
    const mapper = page.locator("section.mapper");
    await mapper.waitFor();
    assertEquals(inspected.length, 1);
    // Suggested from the values (Site), from the names (Site name, Opened) and by name (County).
    const selects = mapper.locator("select");
    assertEquals(
      await Promise.all([0, 1, 2, 3, 4].map((i) => selects.nth(i).inputValue())),
      ["facility_id", "name", "county", "opened_on", ""],
    );
    assertEquals(await mapper.locator("table.preview thead th").allTextContents(), [
      "Facility ID",
      "Name",
      "County",
      "Opened on",
    ]);
    assertEquals(
      await mapper.locator("table.preview tbody tr").first().locator("td").allTextContents(),
      ["ABC-000001", "North Plant", "Kent", "2001-02-03"],
    );
    await t.shot("upload-mapping-xlsx");
    await mapper.locator("button", { hasText: "Import with these columns" }).click();
    await page.waitForURL(REVIEW_PAGE);
    assertEquals((await tabCounts(page)).new, 2);
    const staged = await page.locator("tbody").textContent() ?? "";
    for (const text of ["North Plant", "Essex", "2001-02-03"]) {
      assert(staged.includes(text), `${text} in ${staged}`);
    }

    await page.click("button[value=commit]");
    await page.locator("dialog[open] button", { hasText: "Commit now" }).click();
    await page.waitForURL(RUN_PAGE);

    // A JSON file with the same keys: read on the server, the saved mapping filled in to confirm.
    const objects = [
      { Site: "ABC-000003", "Site name": "East Works", County: "Surrey", Opened: "2010-05-06" },
      { Site: "ABC-000004", "Site name": "West Depot", County: null, Opened: null, Comment: "x" },
    ];
    await page.goto(t.url("/upload/facilities"));
    await page.setInputFiles("input[type=file]", {
      name: "sites.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(objects)),
    });
    await page.click("button[type=submit]");
    await mapper.waitFor();
    assertEquals(inspected.length, 2);
    await mapper.locator("button", { hasText: "Import with these columns" }).click();
    await page.waitForURL(REVIEW_PAGE);
    assertEquals((await tabCounts(page)).new, 2);
    const again = await page.locator("tbody").textContent() ?? "";
    for (const text of ["East Works", "Surrey", "2010-05-06", "West Depot"]) {
      assert(again.includes(text), `${text} in ${again}`);
    }
  },
);

e2eTest("an invalid row fixed in place on the review page becomes new and commits", async (t) => {
  const { page } = t;
  await page.goto(t.url("/upload/facilities"));
  await upload(page, [example("facilities_changes.csv")], "staged", REVIEW_PAGE);
  const before = await tabCounts(page);
  await page.click(`nav.tabs a:text-is('invalid (${before.invalid})')`);
  await page.waitForURL(/action=invalid/);
  // Riverside Works: a lower-case id and a latitude past 90.
  const id = page.locator("input[value='abc-000021']");
  const form = await id.getAttribute("form");
  assert(form, "the bad id is an input tied to its row's fix form");
  await id.fill("ABC-000021");
  const latitude = page.locator(`input[form='${form}'][name='cell:latitude']`);
  await latitude.fill("51.1");
  await t.shot("review-fixing");
  await page.click(`button[form='${form}'][value=fix]`);
  await page.waitForURL(/action=invalid/);
  await page.waitForLoadState("load");
  const after = await tabCounts(page);
  assertEquals([after.invalid, after.new], [before.invalid - 1, before.new + 1]);
  assertEquals(await page.locator("input[value='abc-000021']").count(), 0);

  // A bulk fix: every invalid row's name set; row 13 had none, its impossible date remains.
  assert((await page.locator("tbody").textContent())!.includes("A value is required"));
  await page.selectOption("form.bulk-fix select[name=op]", "set");
  await page.fill("form.bulk-fix input[name=value]", "Uplands Works");
  await page.selectOption("form.bulk-fix select[name=column]", "name");
  await t.shot("review-bulk-fix");
  await page.click("form.bulk-fix button[value=bulk]");
  await page.waitForURL(/action=invalid/);
  await page.waitForLoadState("load");
  const tbody = (await page.locator("tbody").textContent())!;
  assert(!tbody.includes("A value is required"), tbody);
  assertEquals((await tabCounts(page)).invalid, after.invalid);

  await page.click("button[value=commit]");
  await page.locator("dialog[open] button", { hasText: "Commit now" }).click();
  await page.waitForURL(RUN_PAGE);
  const edited = /(\d+) cells edited in review/.exec(
    await page.locator("main").textContent() ?? "",
  );
  assert(
    edited && Number(edited[1]) >= 3,
    `two cells by hand and names by the bulk fix: ${edited}`,
  );
  const exported = await exportCsv(page, "facilities");
  assert(exported.includes("ABC-000021,Riverside Works,Kent,51.1"), exported);
});

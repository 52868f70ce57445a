/**
 * The pages fit their screen: at 1280 and 390 px no page is wider than the window (wide tables
 * scroll inside their own box), the review grid keeps its row number and outcome columns in view
 * while it scrolls sideways, the commit bar never lies over a row, columns are shown by their
 * labels, and the upload page says each rule in words.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../assert.ts";
import { e2eTest, example } from "./harness.ts";

const WIDTHS = [1280, 390] as const;

/** A note as long as a paragraph, so that the emissions grid is far wider than any screen. */
const LONG_NOTE = "Restated after the audit of the continuous emissions monitor ".repeat(4).trim();

/** Stages an emissions file whose rows carry long notes, after the facilities they name. */
async function stageWideEmissions(t: Parameters<Parameters<typeof e2eTest>[1]>[0]) {
  const { app } = t;
  const facilities = await app.upload(
    "facilities",
    await Deno.readFile(example("facilities_clean.csv")),
  );
  assertEquals(facilities.status, 201);
  await facilities.body?.cancel();
  const lines = (await Deno.readTextFile(example("emissions_changes.csv"))).trimEnd().split("\n");
  // Every row's notes (the last column) become the long note.
  const wide = [
    lines[0],
    ...lines.slice(1).map((l) => `${l.replace(/,[^,]*$|,"[^"]*"$/, "")},${LONG_NOTE}`),
  ];
  const res = await app.upload("emissions", wide.join("\n") + "\n", { mode: "staged" });
  const run = await res.json();
  assertEquals(run.status, "staged", JSON.stringify(run));
  return run.id as string;
}

/** Fails when the page is wider than its window. */
async function assertFits(page: Page, what: string): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert(scroll <= client, `${what}: the page is ${scroll}px wide in a ${client}px window`);
}

e2eTest("no page is wider than the window at 1280 and 390 px, wide tables included", async (t) => {
  const runId = await stageWideEmissions(t);
  for (const width of WIDTHS) {
    const context = await t.context({
      viewport: { width, height: width === 390 ? 844 : 800 },
      isMobile: width === 390,
    });
    const page = await context.newPage();
    for (
      const [name, path] of [
        ["upload", "/upload/emissions"],
        ["run", `/runs/${runId}`],
        ["review", `/runs/${runId}/review`],
        ["review-invalid", `/runs/${runId}/review?action=invalid`],
        ["history", "/runs"],
      ]
    ) {
      await page.goto(t.url(path));
      await t.shot(`fit-${width}-${name}`, page);
      await assertFits(page, `${path} at ${width}px`);
    }
    // The review grid is wider than the screen: it scrolls inside its own box.
    await page.goto(t.url(`/runs/${runId}/review`));
    const box = page.locator(".table-wrap:has(table.review)");
    const { scrollWidth, clientWidth } = await box.evaluate((e) => ({
      scrollWidth: e.scrollWidth,
      clientWidth: e.clientWidth,
    }));
    assert(scrollWidth > clientWidth, `the grid scrolls (${scrollWidth} in ${clientWidth})`);
    await context.close();
  }
});

e2eTest(
  "the review grid keeps row number and outcome in view; the commit bar covers no row",
  async (t) => {
    const runId = await stageWideEmissions(t);
    for (const width of WIDTHS) {
      const context = await t.context({
        viewport: { width, height: width === 390 ? 844 : 800 },
        isMobile: width === 390,
      });
      const page = await context.newPage();
      await page.goto(t.url(`/runs/${runId}/review`));
      const box = page.locator(".table-wrap:has(table.review)");
      const row = page.locator("table.review tbody tr").first();
      // Scrolled to the far right, the row number and outcome stay where they were.
      await box.evaluate((e) => e.scrollLeft = e.scrollWidth);
      await t.shot(`grid-scrolled-${width}`, page);
      const boxRect = (await box.boundingBox())!;
      for (const cell of ["td.num", "td.outcome"]) {
        const rect = (await row.locator(cell).boundingBox())!;
        assert(
          rect.x >= boxRect.x - 1 && rect.x + rect.width <= boxRect.x + boxRect.width + 1,
          `${cell} stays in the grid's view at ${width}px (${rect.x} in ${boxRect.x}…)`,
        );
      }
      // The exclude box scrolled away under them: the row number is at the grid's left edge.
      const num = (await row.locator("td.num").boundingBox())!;
      const outcome = (await row.locator("td.outcome").boundingBox())!;
      assert(Math.abs(num.x - boxRect.x) <= 2, `row number at the left (${num.x}, ${boxRect.x})`);
      assert(Math.abs(outcome.x - (num.x + num.width)) <= 2, "the outcome right after it");

      // Wherever the page and the grid are scrolled, no row lies under the commit bar.
      for (const at of ["top", "middle", "bottom"] as const) {
        await page.evaluate((where) => {
          const max = document.documentElement.scrollHeight - innerHeight;
          scrollTo(0, where === "top" ? 0 : where === "middle" ? max / 2 : max);
        }, at);
        await box.evaluate((e, where) => {
          e.scrollTop = where === "top"
            ? 0
            : where === "middle"
            ? e.scrollHeight / 2
            : e.scrollHeight;
        }, at);
        const covered = await page.evaluate(() => {
          const bar = document.querySelector(".commit-bar")!.getBoundingClientRect();
          const grid = document.querySelector(".table-wrap:has(table.review)")!
            .getBoundingClientRect();
          return [...document.querySelectorAll("table.review tbody tr")].filter((tr) => {
            const r = tr.getBoundingClientRect();
            // Only the part of the row the grid shows counts.
            const top = Math.max(r.top, grid.top);
            const bottom = Math.min(r.bottom, grid.bottom);
            return bottom > top && bottom > bar.top && top < bar.bottom;
          }).length;
        });
        assertEquals(covered, 0, `rows under the commit bar at ${width}px, page at the ${at}`);
      }
      await context.close();
    }
  },
);

e2eTest("columns go by their labels; the upload page says each rule in words", async (t) => {
  const runId = await stageWideEmissions(t);
  const { page } = t;
  await page.goto(t.url(`/runs/${runId}/review`));
  const heads = page.locator("table.review thead th");
  assertEquals((await heads.allTextContents()).slice(3), [
    "Facility ID",
    "Year",
    "Pollutant",
    "Amount",
    "Unit",
    "Reported on",
    "Notes",
  ]);
  assertEquals(await heads.nth(3).getAttribute("title"), "facility_id");

  await page.goto(t.url("/upload/emissions"));
  const rules = await page.locator("table.columns tbody td.rules").allTextContents();
  assertEquals(rules.length, 7);
  for (const rule of rules) assert(!/[\^$\\[\]]/.test(rule), `a rule in words: ${rule}`);
  const names = await page.locator("table.columns tbody th").allTextContents();
  assert(names[0].startsWith("Facility ID"), names[0]);
});

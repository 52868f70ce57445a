import { assert, assertEquals, assertMatch } from "./assert.ts";
import { appTest, type TestApp } from "./app_harness.ts";
import { FACILITIES, FILTERED } from "./api/fixtures.ts";

async function page(app: TestApp, path: string, status = 200): Promise<string> {
  const res = await app.fetch(path);
  const html = await res.text();
  assertEquals(res.status, status, `${path}: ${html.slice(0, 300)}`);
  return html;
}

async function staged(app: TestApp, csv = FILTERED): Promise<string> {
  await app.upload("facilities", FACILITIES);
  const run = await (await app.upload("facilities", csv, { mode: "staged" })).json();
  assertEquals(run.status, "staged", JSON.stringify(run));
  return run.id;
}

/** The file rows a review page lists, from its row number cells. */
function listedRows(html: string): number[] {
  return [...html.matchAll(/<td class="num">(-?\d+)<\/td>/g)].map((m) => Number(m[1]));
}

function unescape(href: string): string {
  return href.replaceAll("&amp;", "&");
}

appTest("the review shows the error summary, each line a link to its rows", async (app) => {
  const runId = await staged(app);
  const review = await page(app, `/runs/${runId}/review`);
  const summary = review.slice(review.indexOf('class="error-summary"'));
  assertMatch(summary, /2 rows: <strong>facility_id<\/strong> Must match the pattern/);
  assertMatch(summary, /1 row: <strong>latitude<\/strong> Must be at most 90/);
  const link = summary.match(/<a href="([^"]+)"[^>]*>2 rows: <strong>opened_on/);
  assert(link, "a summary line links to its rows");
  const href = unescape(link[1]);
  assertEquals(href, "?action=invalid&column=opened_on&code=type");
  const filtered = await page(app, `/runs/${runId}/review${href}`);
  assertEquals(listedRows(filtered), [25, 26]);
  // The filter bar shows the filter it applied, and the line is marked current.
  assertMatch(filtered, /<option value="opened_on" selected>opened_on<\/option>/);
  assertMatch(filtered, /<option value="type" selected>type<\/option>/);
  assertMatch(filtered, /aria-current="true">2 rows: <strong>opened_on/);
});

appTest("the filter bar filters, sorts and jumps to a row without JavaScript", async (app) => {
  const runId = await staged(app);
  const review = await page(app, `/runs/${runId}/review`);
  const bar = review.match(/<form method="get" class="row-filters"[\s\S]*?<\/form>/)?.[0];
  assert(bar, "the filter bar is a GET form");
  for (const name of ["column", "code", "q", "sort", "fromRow"]) {
    assert(bar.includes(`name="${name}"`), name);
  }
  // What the form sends, empty fields and all: empty means absent.
  const submit = (fields: Record<string, string>) =>
    page(
      app,
      `/runs/${runId}/review?${new URLSearchParams({
        column: "",
        code: "",
        q: "",
        sort: "",
        fromRow: "",
        ...fields,
      })}`,
    );
  assertEquals(listedRows(await submit({ q: "surrey", fromRow: "20" })), [20, 22, 24]);
  const sorted = await submit({ q: "plant", sort: "-name" });
  assertEquals(listedRows(sorted), [3, 2]);
  assertMatch(sorted, /<option value="-name" selected>name ↓<\/option>/);
  assertMatch(sorted, /<input type="search" name="q" value="plant"/);
  assertEquals(listedRows(await submit({ fromRow: "26" })), [26, 27]);
  // The tabs keep the filter.
  assertMatch(sorted, /href="\?action=new&amp;q=plant&amp;sort=-name"/);
  // Bad filters are a readable 400 page, not an error.
  for (const bad of ["column=nope", "sort=-nope", "fromRow=-3"]) {
    const html = await page(app, `/runs/${runId}/review?${bad}`, 400);
    assert(html.includes("Invalid"), bad);
  }
});

appTest("a long review pages by cursor and links to places in the file", async (app) => {
  const lines = ["facility_id,name,county"];
  for (let i = 1; i <= 450; i++) {
    lines.push(`ABC-${String(1000 + i).padStart(6, "0")},Site ${i},${i % 3 ? "Kent" : "Essex"}`);
  }
  const runId = await staged(app, lines.join("\n") + "\n");
  const review = await page(app, `/runs/${runId}/review?q=kent`);
  assertEquals(listedRows(review).length, 100);
  const next = review.match(/<a href="([^"]+)">Next 100 rows/);
  assert(next, "a next link");
  const second = await page(app, `/runs/${runId}/review${unescape(next[1])}`);
  const rows = listedRows(second);
  assertEquals(rows.length, 100);
  assert(rows.every((row) => (row - 1) % 3 !== 0), "the next page keeps the filter");
  assert(rows[0] > listedRows(review)[99]);
  // Page links go straight to places in the file, keeping the filter.
  const jumps = [...review.matchAll(/href="\?q=kent&amp;fromRow=(\d+)"/g)].map((m) => +m[1]);
  assertEquals(jumps, [2, 102, 202, 302, 402]);
  const jumped = await page(app, `/runs/${runId}/review?q=kent&fromRow=302`);
  assertEquals(listedRows(jumped)[0], 302);
});

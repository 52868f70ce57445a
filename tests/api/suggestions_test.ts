/**
 * Suggestions from the data (issue 20, item 5) and what was written beside what is stored
 * (item 6), through the API on both databases: a type without date formats meets `Jan 1 2000`
 * dates, `NA` volumes and decimal commas; the run suggests the options that read them, applying
 * one validates the invalid rows again for this run only, and the commit imports them.
 */
import { sql } from "kysely";
import { assert, assertEquals } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import type { TestDatabase } from "../db_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const TYPES = new URL("../fixtures/upload_types_suggest/", import.meta.url);

async function createTables(db: TestDatabase): Promise<void> {
  await sql`create table test_prices (symbol text, date date, price numeric, volume bigint,
    primary key (symbol, date))`.execute(db.kysely);
}

function suggestTest(name: string, fn: (app: TestApp) => Promise<void>): void {
  appTest(name, fn, {}, TYPES, createTables);
}

async function staged(app: TestApp, csv: string): Promise<Json> {
  const res = await app.upload("prices", csv, { mode: "staged" });
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  assertEquals(run.status, "staged");
  return run;
}

async function rows(app: TestApp, runId: string, action?: string): Promise<Json[]> {
  const query = action ? `?action=${action}` : "";
  const res = await app.fetch(`/api/v1/runs/${runId}/rows${query}`);
  assertEquals(res.status, 200);
  return (await app.json<Json>(res)).rows;
}

function apply(app: TestApp, runId: string, n: number | string): Promise<Response> {
  return app.fetch(`/api/v1/runs/${runId}/suggestions/${n}/apply`, { method: "POST" });
}

const STOCKS = [
  "symbol,date,price,volume",
  "MSFT,Jan 1 2000,39.81,100",
  "MSFT,Feb 1 2000,36.35,200",
  "MSFT,Mar 1 2000,43.22,300",
  "MSFT,2000-04-01,28.37,400",
  "MSFT,someday,30.00,500",
].join("\n");

suggestTest("dates like Jan 1 2000 get a suggestion; applied, they import", async (app) => {
  const run = await staged(app, STOCKS);
  assertEquals(run.counts.invalid, 4);
  assertEquals(run.suggestions, [{
    id: 1,
    kind: "formats",
    column: "date",
    formats: ["MMM d yyyy"],
    label: "Read dates as MMM d yyyy",
    config: 'formats: ["MMM d yyyy"]',
    applied: false,
  }]);
  const invalid = await rows(app, run.id, "invalid");
  const suggestions = invalid.map((r) => r.errors[0].suggestion?.id ?? null);
  // "someday" fits no pattern: its error carries none.
  assertEquals(suggestions, [1, 1, 1, null]);
  assertEquals(invalid[0].errors[0].suggestion.config, 'formats: ["MMM d yyyy"]');

  const res = await apply(app, run.id, 1);
  const applied = await app.json<Json>(res);
  assertEquals(res.status, 200, JSON.stringify(applied));
  assertEquals(applied.suggestion.applied, true);
  assertEquals(applied.counts.invalid, 1);
  assertEquals(applied.counts.new, 4);
  const after = await app.json<Json>(await app.fetch(`/api/v1/runs/${run.id}`));
  assertEquals(after.suggestions[0].applied, true);
  // Still invalid, "someday" carries no suggestion once applied.
  const left = await rows(app, run.id, "invalid");
  assertEquals(left.map((r) => [r.rowNumber, r.errors[0].suggestion ?? null]), [[6, null]]);

  // A row fixed afterwards is read with the applied option too.
  const fixed = await app.fetch(`/api/v1/runs/${run.id}/rows/6`, {
    method: "PATCH",
    body: JSON.stringify({ cells: { date: "May 1 2000" } }),
  });
  assertEquals(fixed.status, 200, await fixed.clone().text());
  assertEquals((await app.json<Json>(fixed)).action, "new");

  const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
  assertEquals(commit.status, 200, await commit.clone().text());
  assertEquals((await app.json<Json>(commit)).counts.new, 5);
  const stored = await app.fetch("/api/v1/upload-types/prices/export.csv");
  const csv = await stored.text();
  for (const date of ["2000-01-01", "2000-02-01", "2000-03-01", "2000-04-01", "2000-05-01"]) {
    assert(csv.includes(`MSFT,${date},`), csv);
  }
});

suggestTest("the rows API gives what was written where the stored value differs", async (app) => {
  const run = await staged(app, STOCKS);
  assertEquals((await app.json<Json>(await apply(app, run.id, 1))).counts.new, 4);
  const shown = await rows(app, run.id, "new");
  assertEquals(shown.map((r) => [r.values.date, r.written]), [
    ["2000-01-01", { date: "Jan 1 2000" }],
    ["2000-02-01", { date: "Feb 1 2000" }],
    ["2000-03-01", { date: "Mar 1 2000" }],
    // Written as stored: nothing to show.
    ["2000-04-01", {}],
  ]);
  assert(shown.every((r) => !("raw" in r)));
});

suggestTest("NA in an optional column suggests treating it as empty", async (app) => {
  const run = await staged(
    app,
    "symbol,date,price,volume\nA,2000-01-01,1,NA\nB,2000-01-01,2,NA\nC,2000-01-01,3,7\n",
  );
  assertEquals(run.suggestions.map((s: Json) => [s.kind, s.column, s.nullValues, s.config]), [
    ["nullValues", "volume", ["", "NA"], 'nullValues: ["", "NA"]'],
  ]);
  assertEquals(run.suggestions[0].label, "Treat NA as empty");
  const applied = await app.json<Json>(await apply(app, run.id, 1));
  assertEquals([applied.counts.invalid, applied.counts.new], [0, 3]);
  const shown = await rows(app, run.id);
  assertEquals(shown.map((r) => [r.values.volume, r.written]), [
    [null, { volume: "NA" }],
    [null, { volume: "NA" }],
    [7, {}],
  ]);
});

suggestTest("decimal commas with thousands dots get a number suggestion", async (app) => {
  const run = await staged(
    app,
    'symbol,date,price\nA,2000-01-01,"1.234,5"\nB,2000-01-01,"12,25"\nC,2000-01-01,3\n',
  );
  assertEquals(
    run.suggestions.map((s: Json) => [s.kind, s.decimalSeparator, s.thousandsSeparator]),
    [
      ["numberFormat", ",", "."],
    ],
  );
  assertEquals(run.suggestions[0].config, 'decimalSeparator: ",", thousandsSeparator: "."');
  assertEquals((await app.json<Json>(await apply(app, run.id, 1))).counts.invalid, 0);
  const shown = await rows(app, run.id);
  assertEquals(shown.map((r) => r.values.price), ["1234.5", "12.25", "3"]);
});

suggestTest("values the data cannot decide between suggest nothing", async (app) => {
  // 01/02/2000 reads as 1 February (dd/MM/yyyy) or 2 January (M/d/yyyy).
  const run = await staged(app, "symbol,date,price\nA,01/02/2000,1\nB,03/04/2000,2\n");
  assertEquals(run.suggestions, []);
});

suggestTest("applying a suggestion the run does not have is not_found", async (app) => {
  const run = await staged(app, STOCKS);
  const res = await apply(app, run.id, 9);
  assertEquals(res.status, 404);
  assertEquals((await app.json<Json>(res)).error.type, "not_found");
  assertEquals((await apply(app, run.id, "x")).status, 400);
  const discard = await app.fetch(`/api/v1/runs/${run.id}/discard`, { method: "POST" });
  assertEquals(discard.status, 200);
  assertEquals((await apply(app, run.id, 1)).status, 409);
});

suggestTest("the review page offers the suggestion and shows written → stored", async (app) => {
  const run = await staged(app, STOCKS);
  let page = await (await app.fetch(`/runs/${run.id}/review`)).text();
  assert(page.includes("Read dates as MMM d yyyy"), "the suggestion above the grid");
  assert(page.includes("formats: [&quot;MMM d yyyy&quot;]"), "the config line");
  assert(page.includes('name="intent" value="suggestion"'), "a one-click form");
  const res = await app.fetch(`/runs/${run.id}/review`, {
    method: "POST",
    body: new URLSearchParams([["intent", "suggestion"], ["suggestion", "1"]]),
    redirect: "manual",
  });
  assertEquals(res.status, 303);
  await res.body?.cancel();
  page = await (await app.fetch(`/runs/${run.id}/review?action=new`)).text();
  assert(page.includes("(applied to this run)"), "marked applied");
  assert(!page.includes('value="suggestion"'), "no button once applied");
  assert(
    /<span class="written"[^>]*>Jan 1 2000<\/span> → 2000-01-01/.test(page),
    "the date as written and as stored",
  );
  // A bad suggestion number is a page with the error, not a 5xx.
  const bad = await app.fetch(`/runs/${run.id}/review`, {
    method: "POST",
    body: new URLSearchParams([["intent", "suggestion"], ["suggestion", "7"]]),
  });
  assertEquals(bad.status, 404);
  await bad.body?.cancel();
});

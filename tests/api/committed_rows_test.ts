import { assert, assertEquals, assertMatch } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { FACILITIES } from "./fixtures.ts";
import { purgeExpiredRows } from "../../host/deno/row_retention.ts";
import { runCounts } from "../run_counts.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/** Against FACILITIES: every row changed (a new name). */
const THREE_CHANGED = [
  "facility_id,name,county,latitude,longitude,opened_on,active",
  "ABC-000001,North Plant A,Kent,51.5,-0.12,2001-02-03,yes",
  "ABC-000002,South Plant B,Essex,50.1,1.25,1999-12-31,no",
  "ABC-000003,East Works C,,,,,",
].join("\n") + "\n";

async function getJson(app: TestApp, path: string): Promise<Json> {
  const res = await app.fetch(path);
  assertEquals(res.status, 200, path);
  return await app.json<Json>(res);
}

async function post(app: TestApp, path: string, body?: unknown): Promise<Json> {
  const res = await app.fetch(path, {
    method: "POST",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await app.json<Json>(res);
  assertEquals(res.status, 200, JSON.stringify(json));
  return json;
}

/** Stages THREE_CHANGED over FACILITIES, excludes row 3, commits; returns the committed run. */
async function commitWithOneExcluded(app: TestApp): Promise<Json> {
  assertEquals((await app.upload("facilities", FACILITIES)).status, 201);
  const staged = await app.json<Json>(
    await app.upload("facilities", THREE_CHANGED, { mode: "staged" }),
  );
  assertEquals(staged.counts.changed, 3);
  const saved = await post(app, `/api/v1/runs/${staged.id}/exclusions`, { rows: [3] });
  assertEquals(saved.excluded, { new: 0, changed: 1, deleted: 0 });
  const run = await getJson(app, `/api/v1/runs/${staged.id}`);
  assertEquals(
    run.counts,
    runCounts({ rows: 3, changed: 2, excluded: 1 }),
    "the staged run counts what the commit will write",
  );
  return await post(app, `/api/v1/runs/${staged.id}/commit`);
}

appTest("a committed run counts what it applied and keeps its rows and exclusions", async (app) => {
  const committed = await commitWithOneExcluded(app);
  assertEquals(committed.status, "committed");
  assertEquals(committed.counts, runCounts({ rows: 3, changed: 2, excluded: 1 }));
  assertEquals(committed.rowsPurgedAt, null);
  const exported = await (await app.fetch("/api/v1/upload-types/facilities/export.csv")).text();
  assert(exported.includes("North Plant A") && exported.includes("East Works C"));
  assert(exported.includes("South Plant,") && !exported.includes("South Plant B"), exported);

  // A later staged upload (which sweeps leftover staging tables) does not take them away.
  await app.upload("facilities", FACILITIES, { mode: "staged" });
  const excluded = await getJson(app, `/api/v1/runs/${committed.id}/exclusions`);
  assertEquals(excluded, {
    excluded: { new: 0, changed: 1, deleted: 0 },
    rowsPurgedAt: null,
  });
  const { rows, rowsPurgedAt } = await getJson(app, `/api/v1/runs/${committed.id}/rows`);
  assertEquals(rowsPurgedAt, null);
  assertEquals(rows.map((r: Json) => [r.rowNumber, r.action, r.excluded]), [
    [2, "changed", false],
    [3, "changed", true],
    [4, "changed", false],
  ]);
  assertEquals(rows[0].changes, [{ column: "name", old: "North Plant", new: "North Plant A" }]);

  // The review page shows them read-only, with the excluded count.
  const page = await (await app.fetch(`/runs/${committed.id}/review`)).text();
  assertMatch(page, /Committed: the rows as reviewed, read-only/);
  assert(!page.includes('value="commit"'), "no commit bar on a committed run");
  assertEquals(page.match(/name="exclude"[^>]*disabled/g)?.length, 3, "checkboxes read-only");
  const runPage = await (await app.fetch(`/runs/${committed.id}`)).text();
  assertMatch(runPage, /<dt>Excluded<\/dt><dd>1<\/dd>/);
  assertMatch(runPage, /The rows it applied/);

  // Keeping the rows does not get in the way of a revert.
  const reverted = await post(app, `/api/v1/runs/${committed.id}/revert`);
  assertEquals(reverted.status, "reverted");
  const after = await (await app.fetch("/api/v1/upload-types/facilities/export.csv")).text();
  assert(after.includes("North Plant,") && !after.includes("North Plant A"), after);
  assertEquals((await getJson(app, `/api/v1/runs/${committed.id}/rows`)).rows.length, 3);
});

appTest("past retention a committed run's rows are purged and the API says so", async (app) => {
  const committed = await commitWithOneExcluded(app);
  const { store } = app.services;
  assertEquals(await store.purgeCommittedRows(60 * 60 * 1000), [], "younger than an hour");
  assertEquals(await store.purgeCommittedRows(0), [committed.id]);
  assertEquals(await store.purgeCommittedRows(0), [], "purged once");

  const run = await getJson(app, `/api/v1/runs/${committed.id}`);
  assertMatch(run.rowsPurgedAt, /^\d{4}-\d\d-\d\dT/);
  assertEquals(run.counts.changed, 2, "the counts stay");
  assertEquals(run.counts.excluded, 1);
  const rows = await getJson(app, `/api/v1/runs/${committed.id}/rows`);
  assertEquals(rows.rows, []);
  assertEquals(rows.rowsPurgedAt, run.rowsPurgedAt);
  const page = await (await app.fetch(`/runs/${committed.id}/review`)).text();
  assertMatch(page, /rows were dropped on \d{4}-\d\d-\d\d/);
  // The undo log is not part of it: the run can still be reverted.
  assertEquals((await post(app, `/api/v1/runs/${committed.id}/revert`)).status, "reverted");
});

appTest("the server purges committed rows past INTAKE_RUN_ROWS_RETENTION_DAYS", async (app) => {
  assertEquals(app.services.settings.runRowsRetentionDays, 0);
  const committed = await commitWithOneExcluded(app);
  // A staged run is not the purge's to touch.
  const staged = await app.json<Json>(
    await app.upload("facilities", THREE_CHANGED.replace("A,", "AA,"), { mode: "staged" }),
  );
  assertEquals(await purgeExpiredRows(app.services), 1);
  assertMatch((await getJson(app, `/api/v1/runs/${committed.id}`)).rowsPurgedAt, /^\d{4}-/);
  assertEquals((await getJson(app, `/api/v1/runs/${staged.id}/rows`)).rows.length, 3);
}, { INTAKE_RUN_ROWS_RETENTION_DAYS: "0" });

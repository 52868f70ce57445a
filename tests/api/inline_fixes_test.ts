import { sql } from "kysely";
import { createSitesTable } from "../sites_table.ts";
import { assert, assertEquals } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { FACILITIES, FACILITIES_CHANGES } from "./fixtures.ts";
import { runCounts } from "../run_counts.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

// Against FACILITIES: row 2 unchanged, 3 changed, 4 new, 5 invalid (id, latitude, date,
// active), 6 invalid (duplicate of row 4's key).
async function staged(app: TestApp, csv = FACILITIES_CHANGES): Promise<string> {
  await app.upload("facilities", FACILITIES);
  const res = await app.upload("facilities", csv, { mode: "staged" });
  const run = await app.json<Json>(res);
  assertEquals(run.status, "staged", JSON.stringify(run));
  return run.id;
}

function edit(app: TestApp, runId: string, row: number | string, body: unknown) {
  return app.fetch(`/api/v1/runs/${runId}/rows/${row}`, {
    method: "PATCH",
    body: JSON.stringify(body),
  });
}

function fixes(app: TestApp, runId: string, body: unknown) {
  return app.fetch(`/api/v1/runs/${runId}/fixes`, { method: "POST", body: JSON.stringify(body) });
}

async function rows(app: TestApp, runId: string): Promise<Json[]> {
  return (await app.json<Json>(await app.fetch(`/api/v1/runs/${runId}/rows`))).rows;
}

async function run(app: TestApp, runId: string): Promise<Json> {
  return await app.json<Json>(await app.fetch(`/api/v1/runs/${runId}`));
}

appTest("a fixed invalid row becomes new and the commit writes the fixed values", async (app) => {
  const runId = await staged(app);
  let res = await edit(app, runId, 5, {
    cells: { facility_id: "ABC-000005", latitude: "12.5", opened_on: "2023-02-28" },
  });
  let row = await app.json<Json>(res);
  assertEquals(res.status, 200, JSON.stringify(row));
  assertEquals(row.action, "invalid", "the active cell still fails");
  assertEquals(row.errors.map((e: Json) => [e.column, e.code]), [["active", "type"]]);
  assertEquals(row.values.facility_id, "ABC-000005");
  assertEquals(row.counts.invalid, 2);

  res = await edit(app, runId, 5, { cells: { active: "no" } });
  assertEquals(res.status, 200);
  row = await app.json<Json>(res);
  assertEquals(row.rowNumber, 5);
  assertEquals(row.action, "new");
  assertEquals(row.errors, []);
  assertEquals(row.values, {
    facility_id: "ABC-000005",
    name: "Broken",
    county: null,
    latitude: "12.5",
    longitude: null,
    opened_on: "2023-02-28",
    active: false,
  });
  assertEquals(row.counts, runCounts({ rows: 5, new: 2, changed: 1, unchanged: 1, invalid: 1 }));
  const listed = (await rows(app, runId)).find((r) => r.rowNumber === 5)!;
  const { counts: _, ...answered } = row;
  assertEquals(listed, answered, "answered as the rows listing shows it");
  assertEquals((await run(app, runId)).counts.new, 2, "the run's counts follow");

  res = await app.fetch(`/api/v1/runs/${runId}/commit`, { method: "POST" });
  assertEquals(res.status, 200);
  const committed = await app.json<Json>(res);
  assertEquals(committed.counts.new, 2);
  const exported = await (await app.fetch("/api/v1/upload-types/facilities/export.csv")).text();
  assert(exported.includes("ABC-000005,Broken,,12.5,,2023-02-28,false"), exported);

  res = await edit(app, runId, 6, { cells: { facility_id: "ABC-000006" } });
  assertEquals(res.status, 409, "a committed run's rows cannot be edited");
  assertEquals((await app.json<Json>(res)).error.type, "conflict");
  res = await fixes(app, runId, { op: "trim" });
  assertEquals(res.status, 409);
  await res.body?.cancel();

  const edits = (await app.json<Json>(await app.fetch(`/api/v1/runs/${runId}/edits`))).edits;
  assertEquals(
    edits.map((e: Json) => [e.rowNumber, e.column, e.oldValue, e.newValue]),
    [
      [5, "facility_id", "bad-id", "ABC-000005"],
      [5, "latitude", "95", "12.5"],
      [5, "opened_on", "2023-02-30", "2023-02-28"],
      [5, "active", "maybe", "no"],
    ],
  );
  assert(edits.every((e: Json) => typeof e.editedAt === "string" && "actor" in e));
});

appTest("a fix can leave a row invalid, repeat a key or match a target row", async (app) => {
  const runId = await staged(app);
  // Still invalid: the new value breaks another rule.
  let res = await edit(app, runId, 5, {
    cells: { facility_id: "ABC-000004", latitude: "-91", opened_on: "", active: "" },
  });
  let row = await app.json<Json>(res);
  assertEquals(row.action, "invalid");
  assertEquals(row.errors.map((e: Json) => [e.column, e.code, e.value]), [[
    "latitude",
    "min",
    "-91",
  ]]);

  // Valid now, but row 4 (already valid) has the same key.
  res = await edit(app, runId, 5, { cells: { latitude: "1" } });
  row = await app.json<Json>(res);
  assertEquals(row.action, "invalid");
  assertEquals(row.errors.map((e: Json) => [e.column, e.code, e.firstRow]), [
    ["facility_id", "duplicate_key", 4],
  ]);

  // Row 6 repeated row 4's key; with a key the target has it becomes a change.
  res = await edit(app, runId, 6, { cells: { facility_id: "ABC-000003" } });
  row = await app.json<Json>(res);
  assertEquals(row.action, "changed");
  assertEquals(row.changes.map((c: Json) => c.column), ["name"]);
  assertEquals(row.counts, runCounts({ rows: 5, new: 1, changed: 2, unchanged: 1, invalid: 1 }));

  // A valid row cannot be edited; a column of no file, a bad row number or an unknown row fail.
  res = await edit(app, runId, 4, { cells: { name: "X" } });
  assertEquals(res.status, 409);
  assertEquals((await app.json<Json>(res)).error.type, "conflict");
  res = await edit(app, runId, 5, { cells: { nope: "X" } });
  assertEquals(res.status, 400);
  assertEquals((await app.json<Json>(res)).error.details.unknown, ["nope"]);
  for (const body of [{ cells: {} }, { cells: { name: 1 } }, { name: "x" }]) {
    res = await edit(app, runId, 5, body);
    assertEquals(res.status, 400, JSON.stringify(body));
    assertEquals((await app.json<Json>(res)).error.type, "bad_request");
  }
  res = await edit(app, runId, "x", { cells: { name: "X" } });
  assertEquals(res.status, 400);
  await res.body?.cancel();
  res = await edit(app, runId, 99, { cells: { name: "X" } });
  assertEquals(res.status, 404);
  await res.body?.cancel();

  const edits = (await app.json<Json>(await app.fetch(`/api/v1/runs/${runId}/edits`))).edits;
  assertEquals(edits.length, 6);
});

appTest("bulk fixes trim, upper-case and set cells of invalid rows", async (app) => {
  const csv = [
    "facility_id,name,county,active",
    "ABC-000001,North Plant,Kent,yes",
    " abc-000010 ,Ten,,yes",
    "abc-000011,Eleven,,maybe",
    " ABC-000012,Twelve,,sometimes",
    "ABC-000013,Thirteen,,perhaps",
  ].join("\n") + "\n";
  const runId = await staged(app, csv);
  assertEquals((await run(app, runId)).counts.invalid, 4);

  let res = await fixes(app, runId, { op: "trim", column: "facility_id" });
  assertEquals(res.status, 200);
  assertEquals(await app.json<Json>(res), {
    updated: 2,
    counts: { rows: 5, new: 0, changed: 0, unchanged: 1, invalid: 4, deleted: 0, excluded: 0 },
  });
  res = await fixes(app, runId, { op: "upper", column: "facility_id", rows: [3, 4] });
  assertEquals((await app.json<Json>(res)).updated, 2);
  let listed = await rows(app, runId);
  assertEquals(listed.find((r) => r.rowNumber === 3)!.action, "new");
  assertEquals(listed.find((r) => r.rowNumber === 3)!.values.facility_id, "ABC-000010");

  res = await fixes(app, runId, { op: "set", column: "active", value: "no", rows: [4, 5] });
  assertEquals(await app.json<Json>(res), {
    updated: 2,
    counts: { rows: 5, new: 3, changed: 0, unchanged: 1, invalid: 1, deleted: 0, excluded: 0 },
  });
  res = await fixes(app, runId, { op: "set", column: "active", value: "true" });
  assertEquals((await app.json<Json>(res)).counts.invalid, 0);
  listed = await rows(app, runId);
  assertEquals(listed.map((r) => r.action), ["unchanged", "new", "new", "new", "new"]);

  for (const body of [{ op: "set", column: "active" }, { op: "drop" }, { op: "trim", column: 1 }]) {
    res = await fixes(app, runId, body);
    assertEquals(res.status, 400, JSON.stringify(body));
    await res.body?.cancel();
  }
  res = await fixes(app, runId, { op: "upper", column: "latitude" });
  assertEquals(res.status, 400, "a column the file does not have");
  await res.body?.cancel();

  const edits = (await app.json<Json>(await app.fetch(`/api/v1/runs/${runId}/edits`))).edits;
  assertEquals(edits.length, 7);
});

appTest("a fixed row's references are checked", async (app) => {
  await app.upload("facilities", FACILITIES);
  const emissions = [
    "facility_id,year,pollutant,amount,unit",
    "ABC-000001,2023,CO2,10.5,t",
    "XYZ-000999,2023,CO2,1,t",
  ].join("\n") + "\n";
  const res = await app.upload("emissions", emissions, { mode: "staged" });
  const runId = (await app.json<Json>(res)).id;
  // Still an unknown facility: the row stays invalid with a fresh unknown_reference.
  let row = await app.json<Json>(
    await edit(app, runId, 3, { cells: { facility_id: "XYZ-000998" } }),
  );
  assertEquals(row.action, "invalid");
  assertEquals(row.errors.map((e: Json) => [e.code, e.value]), [[
    "unknown_reference",
    "XYZ-000998",
  ]]);
  row = await app.json<Json>(await edit(app, runId, 3, { cells: { facility_id: "ABC-000003" } }));
  assertEquals(row.action, "new");
  assertEquals(row.counts, runCounts({ rows: 2, new: 2 }));
});

const TYPES = new URL("../fixtures/upload_types/", import.meta.url);

appTest(
  "in replace mode a fixed row that matches a target row is no longer deleted",
  async (app) => {
    const db = app.services.database.kysely;
    await sql`insert into test_sites values ('S1', 10), ('S2', 20), ('S3', 30)`.execute(db);
    const res = await app.upload("sites", "code,staff\nS1,10\nS2,25\nS3,x\n", { mode: "staged" });
    const run = await app.json<Json>(res);
    assertEquals(
      run.counts,
      runCounts({ rows: 3, changed: 1, unchanged: 1, invalid: 1, deleted: 1 }),
    );
    const row = await app.json<Json>(await edit(app, run.id, 4, { cells: { staff: "31" } }));
    assertEquals(row.action, "changed");
    assertEquals(row.counts, runCounts({ rows: 3, changed: 2, unchanged: 1 }));
    const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
    assertEquals(commit.status, 200);
    await commit.body?.cancel();
    const exported = await (await app.fetch("/api/v1/upload-types/sites/export.csv")).text();
    assertEquals(exported.trim(), "code,staff\r\nS1,10\r\nS2,25\r\nS3,31");
  },
  {},
  TYPES,
  createSitesTable,
);

appTest("the review page fixes an invalid cell in place without JavaScript", async (app) => {
  const runId = await staged(app);
  let page = await (await app.fetch(`/runs/${runId}/review?action=invalid`)).text();
  assert(page.includes('name="cell:latitude"'), "an input per invalid cell");
  assert(page.includes(`form="fix-5"`) && page.includes(`id="fix-5"`), "tied to the row's form");
  assert(!page.includes('name="cell:name"'), "valid cells are not inputs");
  const res = await app.fetch(`/runs/${runId}/review?action=invalid`, {
    method: "POST",
    body: new URLSearchParams([
      ["intent", "fix"],
      ["row", "5"],
      ["cell:facility_id", "ABC-000005"],
      ["cell:latitude", "12.5"],
      ["cell:opened_on", "2023-02-28"],
      ["cell:active", "no"],
    ]),
    redirect: "manual",
  });
  assertEquals(res.status, 303);
  await res.body?.cancel();
  assertEquals((await rows(app, runId)).find((r) => r.rowNumber === 5)!.action, "new");
  page = await (await app.fetch(`/runs/${runId}`)).text();
  assert(page.includes("4 cells edited"), "the run page counts the edits");
});

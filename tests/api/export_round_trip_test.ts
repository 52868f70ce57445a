/**
 * `export.csv` is safe to open in a spreadsheet and exact to upload again: text that would run as
 * a formula is exported with a leading `'`, an apostrophe of the value itself before such text is
 * doubled, and a CSV upload removes exactly one guard apostrophe. The values are seeded with a
 * JSON upload, which stores text as it is.
 *
 * @module
 */
import { appTest, type TestApp } from "../app_harness.ts";
import { assertEquals } from "../assert.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/** Values of `name` and `county`, by facility: formulas, guarded ones, and lookalikes. */
const VALUES: Array<[string, string]> = [
  ["=SUM(A1)", "+1"],
  ["-x", "@a"],
  ["'=x", "''@y"],
  ["'abc", "'"],
  ["-12.5", "'-3"],
  ["it's =fine", "=cmd|' /C calc'!A0"],
];

/** The values as a JSON upload, which stores text exactly as it is (no CSV guard to undo). */
function jsonOf(values: Array<[string, string]>): string {
  return JSON.stringify(
    values.map(([name, county], i) => ({ facility_id: `ABC-00000${i + 1}`, name, county })),
  );
}

async function exported(app: TestApp): Promise<string> {
  const res = await app.fetch("/api/v1/upload-types/facilities/export.csv");
  assertEquals(res.status, 200);
  return await res.text();
}

async function stored(app: TestApp): Promise<Array<[string, string]>> {
  const rows = await app.db.kysely.selectFrom("facilities" as never)
    .select(["name" as never, "county" as never]).orderBy("facility_id" as never).execute();
  return (rows as Json[]).map((r) => [r.name, r.county]);
}

appTest("export.csv guards formulas and uploading it again changes nothing", async (app) => {
  const first = await app.fetch("/api/v1/uploads/facilities?mode=direct", {
    method: "POST",
    body: jsonOf(VALUES),
    headers: { "content-type": "application/json", "x-file-name": "facilities.json" },
  });
  assertEquals(first.status, 201, JSON.stringify(await first.clone().json()));
  await first.body?.cancel();
  assertEquals(await stored(app), VALUES);

  const csv = await exported(app);
  const lines = csv.split("\r\n");
  // Safe in a spreadsheet: no cell starts a formula.
  assertEquals(lines.slice(1, 4), [
    "ABC-000001,'=SUM(A1),+1,,,,",
    "ABC-000002,'-x,'@a,,,,",
    "ABC-000003,''=x,'''@y,,,,",
  ]);
  assertEquals(lines[4], "ABC-000004,'abc,',,,,");

  // Exact: staged again, every row is unchanged; committed, the values are the same.
  const form = new FormData();
  form.set("file", new File([csv], "facilities-export.csv", { type: "text/csv" }));
  const staged = await app.fetch("/api/v1/uploads/facilities?mode=staged", {
    method: "POST",
    body: form,
  });
  const run = await staged.json();
  assertEquals(staged.status, 201, JSON.stringify(run));
  assertEquals([run.counts.unchanged, run.counts.changed, run.counts.new, run.counts.invalid], [
    VALUES.length,
    0,
    0,
    0,
  ]);
  const direct = await app.upload("facilities", csv, { fileName: "again.csv" });
  assertEquals(direct.status, 201);
  await direct.body?.cancel();
  assertEquals(await stored(app), VALUES);
  assertEquals(await exported(app), csv);
});

import { assertEquals, assertMatch } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { FACILITIES, FACILITIES_CHANGES } from "./fixtures.ts";
import { runCounts } from "../run_counts.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

// The rows of FACILITIES, typed the way JSON producers write them.
const FACILITIES_JSON = JSON.stringify(
  [
    {
      facility_id: "ABC-000001",
      name: "North Plant",
      county: "Kent",
      latitude: 51.5,
      longitude: -0.12,
      opened_on: "2001-02-03",
      active: true,
    },
    {
      facility_id: "ABC-000002",
      name: "South Plant",
      county: "Essex",
      latitude: 50.1,
      longitude: 1.25,
      opened_on: "1999-12-31",
      active: false,
    },
    { facility_id: "ABC-000003", name: "East Works", county: null },
  ],
  null,
  2,
);

async function exported(app: TestApp): Promise<string> {
  return await (await app.fetch("/api/v1/upload-types/facilities/export.csv")).text();
}

function send(app: TestApp, body: string, fileName: string, type: string, mode = "direct") {
  const form = new FormData();
  form.set("file", new File([body], fileName, { type }));
  return app.fetch(`/api/v1/uploads/facilities?mode=${mode}`, { method: "POST", body: form });
}

appTest("a JSON array imports the same table as the CSV file", async (app) => {
  const res = await send(app, FACILITIES_JSON, "facilities.json", "application/json");
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  assertEquals(run.counts.new, 3);
  const fromJson = await exported(app);

  const csv = await app.upload("facilities", FACILITIES, { mode: "staged" });
  const again = await app.json<Json>(csv);
  assertEquals(again.counts, runCounts({ rows: 3, unchanged: 3 }));
  assertEquals(await exported(app), fromJson);
});

appTest("NDJSON stages with diffs and cell errors like CSV", async (app) => {
  await app.upload("facilities", FACILITIES);
  // FACILITIES_CHANGES as NDJSON, header keys by label as in the CSV.
  const [header, ...lines] = FACILITIES_CHANGES.trim().split("\n").map((l) => l.split(","));
  const ndjson = lines.map((cells) =>
    JSON.stringify(Object.fromEntries(header.map((h, i) => [h, cells[i] || null])))
  ).join("\n");
  const res = await app.fetch("/api/v1/uploads/facilities?mode=staged", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", "x-file-name": "changes.ndjson" },
    body: ndjson,
  });
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  assertEquals(run.counts, runCounts({ rows: 5, new: 1, changed: 1, unchanged: 1, invalid: 2 }));
  const rows = (await app.json<Json>(await app.fetch(`/api/v1/runs/${run.id}/rows`))).rows;
  assertEquals(rows[1].changes.map((c: Json) => c.column), ["name", "active"]);
  assertEquals(rows[3].errors.map((e: Json) => e.code), ["pattern", "max", "type", "type"]);
});

appTest("a format that does not match the content is refused with what was found", async (app) => {
  const before = await exported(app);
  const cases: Array<[string, string, string, string]> = [
    [FACILITIES, "facilities.json", "application/json", "text"],
    [FACILITIES_JSON, "facilities.csv", "text/csv", "json"],
    ['{"facility_id": "ABC-000001"}\n', "f.txt", "text/plain", "json"],
  ];
  for (const [body, name, type, detected] of cases) {
    const res = await send(app, body, name, type);
    const error = (await app.json<Json>(res)).error;
    assertEquals([res.status, error.type], [415, "unsupported_file_type"], name);
    assertEquals(error.details.detected, detected, name);
  }
  assertEquals(await exported(app), before, "nothing imported");
});

appTest("broken JSON is a parse_error with its line", async (app) => {
  const broken = FACILITIES_JSON.replace('"South Plant",', '"South Plant"');
  const res = await send(app, broken, "facilities.json", "application/json");
  const error = (await app.json<Json>(res)).error;
  assertEquals([res.status, error.type], [422, "parse_error"]);
  assertMatch(error.message, /Invalid JSON on line 11/);
  assertEquals(error.details.line, 11);
});

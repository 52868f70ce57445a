import { sql } from "kysely";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { FACILITIES, FACILITIES_CHANGES } from "./fixtures.ts";
import { runCounts } from "../run_counts.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function exportText(app: TestApp, type = "facilities"): Promise<string> {
  const res = await app.fetch(`/api/v1/upload-types/${type}/export.csv`);
  assertEquals(res.status, 200);
  return await res.text();
}

async function stage(app: TestApp, csv: string): Promise<Json> {
  const res = await app.upload("facilities", csv, { mode: "staged" });
  const body = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(body));
  assertEquals(body.status, "staged");
  return body;
}

appTest("direct upload of a clean file commits and export returns the rows", async (app) => {
  const res = await app.upload("facilities", FACILITIES);
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  assertEquals(run.status, "committed");
  assertEquals(res.headers.get("location"), `/api/v1/runs/${run.id}`);
  assertEquals(run.counts, runCounts({ rows: 3, new: 3 }));
  assertEquals(run.fileName, "facilities.csv");
  assertMatch(run.sha256, /^[0-9a-f]{64}$/);
  assertEquals(
    await exportText(app),
    [
      "facility_id,name,county,latitude,longitude,opened_on,active",
      "ABC-000001,North Plant,Kent,51.5,-0.12,2001-02-03,true",
      "ABC-000002,South Plant,Essex,50.1,1.25,1999-12-31,false",
      "ABC-000003,East Works,,,,,",
      "",
    ].join("\r\n"),
  );
});

appTest("staged upload classifies rows with diffs and cell errors", async (app) => {
  await app.upload("facilities", FACILITIES);
  const run = await stage(app, FACILITIES_CHANGES);
  assertEquals(run.counts, runCounts({ rows: 5, new: 1, changed: 1, unchanged: 1, invalid: 2 }));

  const rows = (await app.json<Json>(await app.fetch(`/api/v1/runs/${run.id}/rows`))).rows;
  assertEquals(rows.map((r: Json) => [r.rowNumber, r.action]), [
    [2, "unchanged"],
    [3, "changed"],
    [4, "new"],
    [5, "invalid"],
    [6, "invalid"],
  ]);
  assertEquals(rows[1].changes, [
    { column: "name", old: "South Plant", new: "South Plant II" },
    { column: "active", old: false, new: true },
  ]);
  const codes = rows[3].errors.map((e: Json) => [e.column, e.code]);
  assertEquals(codes, [
    ["facility_id", "pattern"],
    ["latitude", "max"],
    ["opened_on", "type"],
    ["active", "type"],
  ]);
  assertEquals(rows[3].values.facility_id, "bad-id");
  assertEquals(rows[4].errors[0].code, "duplicate_key");
  assertEquals(rows[4].errors[0].firstRow, 4);

  const invalid = await app.json<Json>(
    await app.fetch(`/api/v1/runs/${run.id}/rows?action=invalid&limit=1`),
  );
  assertEquals(invalid.rows.length, 1);
  assertEquals(invalid.rows[0].rowNumber, 5);
  const next = await app.json<Json>(
    await app.fetch(
      `/api/v1/runs/${run.id}/rows?action=invalid&limit=1&cursor=${invalid.nextCursor}`,
    ),
  );
  assertEquals(next.rows.map((r: Json) => r.rowNumber), [6]);
  assertEquals(next.nextCursor, null);
});

appTest("commit applies reviewed rows minus exclusions, in one go", async (app) => {
  await app.upload("facilities", FACILITIES);
  const before = await exportText(app);
  const run = await stage(app, FACILITIES_CHANGES);
  assertEquals(await exportText(app), before, "staging must not touch the target");

  const res = await app.fetch(`/api/v1/runs/${run.id}/commit`, {
    method: "POST",
    body: JSON.stringify({ excludeRows: [3] }),
  });
  const committed = await app.json<Json>(res);
  assertEquals(res.status, 200, JSON.stringify(committed));
  assertEquals(committed.status, "committed");
  const exported = await exportText(app);
  assert(exported.includes("ABC-000002,South Plant,Essex"), "excluded change not applied");
  assert(exported.includes("ABC-000004,West Depot,Surrey,51.2,-0.5,2020-06-01,true"));
  assert(!exported.includes("Duplicate Depot"));

  const again = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
  assertEquals(again.status, 409);
  assertEquals((await app.json<Json>(again)).error.type, "conflict");
  const discard = await app.fetch(`/api/v1/runs/${run.id}/discard`, { method: "POST" });
  assertEquals(discard.status, 409);
  await discard.body?.cancel();
});

appTest("the same file through direct and staged paths yields identical tables", async (app) => {
  await app.upload("facilities", FACILITIES);
  const direct = await app.upload(
    "facilities",
    FACILITIES_CHANGES.split("\n").slice(0, 4).join("\n"),
  );
  assertEquals(direct.status, 201);
  await direct.body?.cancel();
  const viaDirect = await exportText(app);

  await sql`truncate facilities`.execute(app.services.database.kysely);
  await app.upload("facilities", FACILITIES);
  const run = await stage(app, FACILITIES_CHANGES.split("\n").slice(0, 4).join("\n"));
  const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
  assertEquals(commit.status, 200);
  await commit.body?.cancel();
  assertEquals(await exportText(app), viaDirect);
});

appTest("a rejected direct import leaves the target untouched and reports the run", async (app) => {
  await app.upload("facilities", FACILITIES);
  const before = await exportText(app);
  const res = await app.upload("facilities", FACILITIES_CHANGES);
  const body = await app.json<Json>(res);
  assertEquals(res.status, 422);
  assertEquals(body.error.type, "validation_error");
  const runId = body.error.details.runId;
  assertEquals(res.headers.get("location"), `/api/v1/runs/${runId}`);
  assertEquals(await exportText(app), before);

  const run = await app.json<Json>(await app.fetch(`/api/v1/runs/${runId}`));
  assertEquals(run.status, "failed");
  assertEquals(run.error.type, "validation_error");
  assertEquals(run.counts.invalid, 2);

  const report = await app.fetch(`/api/v1/runs/${runId}/errors.csv`);
  assertEquals(report.status, 200);
  const lines = (await report.text()).trim().split("\r\n");
  assertEquals(lines[0], "row,errors,Facility ID,name,county,latitude,longitude,opened_on,active");
  assertEquals(lines.length, 3);
  assertMatch(lines[1], /^5,"facility_id: .*",bad-id,Broken,,95,,2023-02-30,maybe$/);
  assertMatch(lines[2], /^6,facility_id: Duplicate key.*,ABC-000004,Duplicate Depot,,,,,$/);
});

appTest("errors.csv escapes formula cells and can be uploaded again", async (app) => {
  const csv = "facility_id,name\n=HYPERLINK(1),@SUM(A1)\nABC-000009,-3+1\n";
  const res = await app.upload("facilities", csv);
  const body = await app.json<Json>(res);
  assertEquals(res.status, 422);
  const report = await (await app.fetch(`/api/v1/runs/${body.error.details.runId}/errors.csv`))
    .text();
  const lines = report.trim().split("\r\n");
  assertEquals(lines.length, 2);
  assertMatch(lines[1], /^2,.*,'=HYPERLINK\(1\),'@SUM\(A1\)$/);
});

appTest("discard drops a staged run and keeps the target", async (app) => {
  await app.upload("facilities", FACILITIES);
  const run = await stage(app, FACILITIES_CHANGES);
  const res = await app.fetch(`/api/v1/runs/${run.id}/discard`, { method: "POST" });
  assertEquals(res.status, 200);
  assertEquals((await app.json<Json>(res)).status, "discarded");
  const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
  assertEquals(commit.status, 409);
  await commit.body?.cancel();
  const rows = await app.json<Json>(await app.fetch(`/api/v1/runs/${run.id}/rows`));
  assertEquals(rows.rows.map((r: Json) => r.action), ["invalid", "invalid"]);
});

appTest(
  "a commit after another run changed the rows is refused as stale, refresh fixes it",
  async (app) => {
    await app.upload("facilities", FACILITIES);
    const run = await stage(app, FACILITIES_CHANGES);
    const other = await app.upload(
      "facilities",
      "facility_id,name\nABC-000002,Renamed Meanwhile\n",
    );
    assertEquals(other.status, 201);
    await other.body?.cancel();

    const res = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
    const body = await app.json<Json>(res);
    assertEquals(res.status, 409);
    assertEquals(body.error.type, "stale_review");
    assertEquals(body.error.details.rows, [3]);
    assert(
      (await exportText(app)).includes(
        "ABC-000002,Renamed Meanwhile,Essex,50.1,1.25,1999-12-31,false",
      ),
      "columns absent from the file keep their values",
    );
    const still = await app.json<Json>(await app.fetch(`/api/v1/runs/${run.id}`));
    assertEquals(still.status, "staged");

    const refresh = await app.fetch(`/api/v1/runs/${run.id}/refresh`, { method: "POST" });
    assertEquals(refresh.status, 200);
    await refresh.body?.cancel();
    const rows =
      (await app.json<Json>(await app.fetch(`/api/v1/runs/${run.id}/rows?action=changed`)))
        .rows;
    assertEquals(rows[0].changes[0], {
      column: "name",
      old: "Renamed Meanwhile",
      new: "South Plant II",
    });
    const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
    assertEquals(commit.status, 200);
    await commit.body?.cancel();
    assert((await exportText(app)).includes("South Plant II"));
  },
);

appTest("two concurrent commits of one run: exactly one succeeds", async (app) => {
  const run = await stage(app, FACILITIES);
  const results = await Promise.all(
    [1, 2].map(() => app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" })),
  );
  const statuses = results.map((r) => r.status).sort();
  await Promise.all(results.map((r) => r.body?.cancel()));
  assertEquals(statuses, [200, 409]);
  assertEquals((await exportText(app)).trim().split("\r\n").length, 4);
});

appTest("a failed commit leaves the target as it was and the run failed", async (app) => {
  await app.upload("facilities", FACILITIES);
  const before = await exportText(app);
  const run = await stage(app, FACILITIES_CHANGES);
  await sql`alter table facilities add constraint no_depots check (name not like '%Depot%')`
    .execute(app.services.database.kysely);
  const res = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
  const body = await app.json<Json>(res);
  assertEquals(res.status, 409);
  assertEquals(body.error.type, "constraint_violation");
  assertEquals(await exportText(app), before);
  const failed = await app.json<Json>(await app.fetch(`/api/v1/runs/${run.id}`));
  assertEquals(failed.status, "failed");
  assertMatch(failed.error.message, /no_depots/);
});

import { assertEquals } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { FACILITIES } from "./fixtures.ts";
import { runCounts } from "../run_counts.ts";
import type { DemoTables } from "../demo_tables.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const REFS_TYPES = new URL("../fixtures/upload_types_refs/", import.meta.url);

/** Emissions of ABC-000001 and ABC-000002 (in FACILITIES), and two of unknown facilities. */
const EMISSIONS = [
  "facility_id,year,pollutant,amount,unit",
  "ABC-000001,2023,CO2,10.5,t",
  "XYZ-000999,2023,CO2,1,t",
  "ABC-000002,2023,CH4,2,kg",
  "XYZ-000999,2024,CO2,3,t",
  "QRS-000123,2023,N2O,4,t",
].join("\n") + "\n";

async function exportText(app: TestApp, type: string): Promise<string> {
  const res = await app.fetch(`/api/v1/upload-types/${type}/export.csv`);
  assertEquals(res.status, 200);
  return await res.text();
}

async function committed(app: TestApp, type: string, csv: string): Promise<Json> {
  const res = await app.upload(type, csv);
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  assertEquals(run.status, "committed");
  return run;
}

appTest("a staged run reports unknown references with the missing value", async (app) => {
  await committed(app, "facilities", FACILITIES);
  const res = await app.upload("emissions", EMISSIONS, { mode: "staged" });
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  assertEquals(run.counts, runCounts({ rows: 5, new: 2, invalid: 3 }));

  const { rows } = await app.json<Json>(
    await app.fetch(`/api/v1/runs/${run.id}/rows?action=invalid`),
  );
  assertEquals(rows.map((r: Json) => [r.rowNumber, r.errors]), [
    [3, [{
      column: "facility_id",
      code: "unknown_reference",
      message: 'facility_id "XYZ-000999" is not in Facilities',
      value: "XYZ-000999",
    }]],
    [5, [{
      column: "facility_id",
      code: "unknown_reference",
      message: 'facility_id "XYZ-000999" is not in Facilities',
      value: "XYZ-000999",
    }]],
    [6, [{
      column: "facility_id",
      code: "unknown_reference",
      message: 'facility_id "QRS-000123" is not in Facilities',
      value: "QRS-000123",
    }]],
  ]);
  assertEquals(rows[0].values, {
    facility_id: "XYZ-000999",
    year: 2023,
    pollutant: "CO2",
    amount: "1",
    unit: "t",
  });

  const report = await app.fetch(`/api/v1/runs/${run.id}/errors.csv`);
  assertEquals(
    await report.text(),
    [
      "row,errors,facility_id,year,pollutant,amount,unit",
      '3,"facility_id: facility_id ""XYZ-000999"" is not in Facilities",XYZ-000999,2023,CO2,1,t',
      '5,"facility_id: facility_id ""XYZ-000999"" is not in Facilities",XYZ-000999,2024,CO2,3,t',
      '6,"facility_id: facility_id ""QRS-000123"" is not in Facilities",QRS-000123,2023,N2O,4,t',
      "",
    ].join("\r\n"),
  );

  // Committing writes the two rows whose facilities exist.
  const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
  assertEquals(commit.status, 200, await commit.clone().text());
  assertEquals(
    await exportText(app, "emissions"),
    [
      "facility_id,year,pollutant,amount,unit,reported_on,notes",
      "ABC-000001,2023,CO2,10.5,t,,",
      "ABC-000002,2023,CH4,2,kg,,",
      "",
    ].join("\r\n"),
  );
});

appTest("a refresh checks references again: a facility deleted since staging", async (app) => {
  await committed(app, "facilities", FACILITIES);
  const res = await app.upload("emissions", EMISSIONS, { mode: "staged" });
  const run = await app.json<Json>(res);
  assertEquals(run.counts.new, 2);
  await app.db.kysely.withTables<DemoTables>().deleteFrom("facilities").where(
    "facility_id",
    "=",
    "ABC-000002",
  ).execute();
  const refreshed = await app.json<Json>(
    await app.fetch(`/api/v1/runs/${run.id}/refresh`, { method: "POST" }),
  );
  assertEquals(refreshed.counts, runCounts({ rows: 5, new: 1, invalid: 4 }));
});

appTest(
  "a direct import with an unknown reference is refused under onInvalid: reject",
  async (app) => {
    await committed(app, "facilities", FACILITIES);
    const res = await app.upload("emissions", EMISSIONS);
    const body = await app.json<Json>(res);
    assertEquals(res.status, 422);
    assertEquals(body.error.type, "validation_error");
    assertEquals(body.error.details.counts.invalid, 3);
    const run = await app.json<Json>(await app.fetch(`/api/v1/runs/${body.error.details.runId}`));
    assertEquals(run.status, "failed");
    assertEquals(
      await exportText(app, "emissions"),
      "facility_id,year,pollutant,amount,unit,reported_on,notes\r\n",
    );
    const report = await (await app.fetch(`/api/v1/runs/${run.id}/errors.csv`)).text();
    assertEquals(report.trim().split("\r\n").length, 4);
  },
);

appTest(
  "a direct import skips unknown references within maxInvalidRows",
  async (app) => {
    await committed(app, "facilities", FACILITIES);
    // One unknown reference: within maxInvalidRows (1), the other rows are imported.
    const one = EMISSIONS.split("\n").slice(0, 4).join("\n") + "\n";
    const run = await committed(app, "lenient_emissions", one);
    assertEquals(run.counts, runCounts({ rows: 3, new: 2, invalid: 1 }));
    const before = await exportText(app, "lenient_emissions");
    assertEquals(before.trim().split("\r\n").length, 3);

    // Three unknown references: over the limit, nothing is imported.
    const res = await app.upload("lenient_emissions", EMISSIONS.replaceAll("2023", "2022"));
    const body = await app.json<Json>(res);
    assertEquals(res.status, 422);
    assertEquals(body.error.type, "validation_error");
    assertEquals(body.error.details.counts.invalid, 3);
    assertEquals(body.error.details.maxInvalidRows, 1);
    assertEquals(await exportText(app, "lenient_emissions"), before);
  },
  {},
  REFS_TYPES,
);

appTest("an empty referencing cell is a required error, not an unknown reference", async (app) => {
  await committed(app, "facilities", FACILITIES);
  const res = await app.upload(
    "emissions",
    "facility_id,year,pollutant,amount,unit\n,2023,CO2,1,t\n",
    {
      mode: "staged",
    },
  );
  const run = await app.json<Json>(res);
  const { rows } = await app.json<Json>(await app.fetch(`/api/v1/runs/${run.id}/rows`));
  assertEquals(rows[0].errors.map((e: Json) => e.code), ["required"]);
});

appTest(
  "rows with unknown references are checked again once the facility exists",
  async (app) => {
    await committed(app, "facilities", FACILITIES);
    const stage = async () => {
      const res = await app.upload("emissions", EMISSIONS, { mode: "staged" });
      const run = await app.json<Json>(res);
      assertEquals(run.counts.invalid, 3, JSON.stringify(run));
      return run.id as string;
    };
    const refreshed = await stage();
    const fixed = await stage();
    // Checked again while the facilities are still unknown, the rows stay as they were.
    const early = await app.fetch(`/api/v1/runs/${fixed}/fixes`, {
      method: "POST",
      body: JSON.stringify({ op: "trim" }),
    });
    const unchanged = await app.json<Json>(early);
    assertEquals([unchanged.updated, unchanged.counts.invalid], [0, 3], JSON.stringify(unchanged));
    await committed(
      app,
      "facilities",
      "facility_id,name\nXYZ-000999,Far Away\nQRS-000123,Further\n",
    );
    const actions = async (runId: string) =>
      (await app.json<Json>(await app.fetch(`/api/v1/runs/${runId}/rows`))).rows
        .map((r: Json) => [r.rowNumber, r.action]);

    // Refresh checks every reference again, of the invalid rows too.
    const res = await app.fetch(`/api/v1/runs/${refreshed}/refresh`, { method: "POST" });
    const run = await app.json<Json>(res);
    assertEquals(res.status, 200, JSON.stringify(run));
    assertEquals(run.counts, runCounts({ rows: 5, new: 5 }));
    assertEquals(await actions(refreshed), [[2, "new"], [3, "new"], [4, "new"], [5, "new"], [
      6,
      "new",
    ]]);

    // Saving a fix with the value unchanged checks the row again (API and review form)…
    const patched = await app.fetch(`/api/v1/runs/${fixed}/rows/3`, {
      method: "PATCH",
      body: JSON.stringify({ cells: { facility_id: "XYZ-000999" } }),
    });
    const row = await app.json<Json>(patched);
    assertEquals(patched.status, 200, JSON.stringify(row));
    assertEquals([row.action, row.errors], ["new", []]);
    const form = await app.fetch(`/runs/${fixed}/review`, {
      method: "POST",
      body: new URLSearchParams({ intent: "fix", row: "5", "cell:facility_id": "XYZ-000999" }),
      redirect: "manual",
    });
    assertEquals(form.status, 303);
    await form.body?.cancel();
    // …and so does a bulk trim that finds nothing to trim.
    const bulk = await app.fetch(`/api/v1/runs/${fixed}/fixes`, {
      method: "POST",
      body: JSON.stringify({ op: "trim" }),
    });
    const result = await app.json<Json>(bulk);
    assertEquals(bulk.status, 200, JSON.stringify(result));
    assertEquals([result.updated, result.counts.new, result.counts.invalid], [1, 5, 0]);
    assertEquals(await actions(fixed), await actions(refreshed));
    const edits = await app.json<Json>(await app.fetch(`/api/v1/runs/${fixed}/edits`));
    assertEquals(edits.edits, [], "checking again edits no cell");

    // The refreshed run commits every row.
    const commit = await app.fetch(`/api/v1/runs/${refreshed}/commit`, { method: "POST" });
    assertEquals(commit.status, 200, await commit.clone().text());
    await commit.body?.cancel();
    assertEquals((await exportText(app, "emissions")).trim().split("\r\n").length, 6);
  },
);

appTest("a row a refresh brings back is a duplicate when a fixed row took its key", async (app) => {
  await committed(app, "facilities", FACILITIES);
  // Row 3: an unknown facility. Row 4: the same key, with an amount that is not a number.
  const csv = [
    "facility_id,year,pollutant,amount,unit",
    "ABC-000001,2023,CO2,10.5,t",
    "XYZ-000999,2023,CO2,1,t",
    "XYZ-000999,2023,CO2,lots,t",
  ].join("\n") + "\n";
  const run = await app.json<Json>(await app.upload("emissions", csv, { mode: "staged" }));
  assertEquals(run.counts.invalid, 2);
  await committed(app, "facilities", "facility_id,name\nXYZ-000999,Far Away\n");
  const patched = await app.fetch(`/api/v1/runs/${run.id}/rows/4`, {
    method: "PATCH",
    body: JSON.stringify({ cells: { amount: "2" } }),
  });
  assertEquals((await app.json<Json>(patched)).action, "new");
  const refreshed = await app.json<Json>(
    await app.fetch(`/api/v1/runs/${run.id}/refresh`, { method: "POST" }),
  );
  assertEquals([refreshed.counts.new, refreshed.counts.invalid], [2, 1]);
  const { rows } = await app.json<Json>(
    await app.fetch(`/api/v1/runs/${run.id}/rows?action=invalid`),
  );
  assertEquals(rows.map((r: Json) => [r.rowNumber, r.errors.map((e: Json) => e.code)]), [
    [3, ["duplicate_key"]],
  ]);
  assertEquals(rows[0].errors[0].firstRow, 4);
});

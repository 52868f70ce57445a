import { sql } from "kysely";
import { createSitesTable } from "../sites_table.ts";
import { assertEquals } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { runCounts } from "../run_counts.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const TYPES = new URL("../fixtures/upload_types/", import.meta.url);

async function setup(app: TestApp): Promise<void> {
  await sql`insert into test_sites values ('S1', 10), ('S2', 20), ('S3', 30)`
    .execute(app.services.database.kysely);
}

async function sites(app: TestApp): Promise<string> {
  return (await (await app.fetch("/api/v1/upload-types/sites/export.csv")).text()).trim();
}

appTest(
  "replace mode shows absent rows as deleted and commit removes them",
  async (app) => {
    await setup(app);
    const res = await app.upload("sites", "code,staff\nS1,10\nS2,25\nS4,5\nbad,1\n", {
      mode: "staged",
    });
    const run = await app.json<Json>(res);
    assertEquals(res.status, 201, JSON.stringify(run));
    assertEquals(
      run.counts,
      runCounts({ rows: 4, new: 1, changed: 1, unchanged: 1, invalid: 1, deleted: 1 }),
    );
    const deleted = await app.json<Json>(
      await app.fetch(`/api/v1/runs/${run.id}/rows?action=deleted`),
    );
    assertEquals(deleted.rows.map((r: Json) => [r.rowNumber, r.values.code]), [[-1, "S3"]]);

    const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
    assertEquals(commit.status, 200);
    await commit.body?.cancel();
    assertEquals(await sites(app), "code,staff\r\nS1,10\r\nS2,25\r\nS4,5");
  },
  {},
  TYPES,
  createSitesTable,
);

appTest(
  "a reviewer can keep a row that replace would delete",
  async (app) => {
    await setup(app);
    const run = await app.json<Json>(
      await app.upload("sites", "code,staff\nS1,10\n", { mode: "staged" }),
    );
    assertEquals(run.counts.deleted, 2);
    const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, {
      method: "POST",
      body: JSON.stringify({ excludeRows: [-2] }),
    });
    assertEquals(commit.status, 200);
    const committed = await app.json<Json>(commit);
    assertEquals(await sites(app), "code,staff\r\nS1,10\r\nS3,30");
    // It deleted one row and kept the other; the kept one stays on record as excluded.
    assertEquals([committed.counts.deleted, committed.counts.excluded], [1, 1]);
    const { rows } = await app.json<Json>(
      await app.fetch(`/api/v1/runs/${run.id}/rows?action=deleted`),
    );
    assertEquals(rows.map((r: Json) => [r.rowNumber, r.excluded]), [[-2, true], [-1, false]]);
  },
  {},
  TYPES,
  createSitesTable,
);

appTest(
  "onInvalid skip imports valid rows directly, up to maxInvalidRows",
  async (app) => {
    await setup(app);
    const ok = await app.upload("sites", "code,staff\nS1,10\nS2,20\nS3,30\nS5,x\n");
    const run = await app.json<Json>(ok);
    assertEquals(ok.status, 201, JSON.stringify(run));
    assertEquals(run.status, "committed");
    assertEquals(run.counts.invalid, 1);
    assertEquals(await sites(app), "code,staff\r\nS1,10\r\nS2,20\r\nS3,30");

    const tooMany = await app.upload("sites", "code,staff\nS1,10\nS5,x\nS6,-1\n");
    const body = await app.json<Json>(tooMany);
    assertEquals(tooMany.status, 422);
    assertEquals(body.error.type, "validation_error");
    assertEquals(body.error.details.maxInvalidRows, 1);
    assertEquals(await sites(app), "code,staff\r\nS1,10\r\nS2,20\r\nS3,30");
  },
  {},
  TYPES,
  createSitesTable,
);

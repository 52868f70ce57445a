import { sql } from "kysely";
import { createSitesTable } from "../sites_table.ts";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { FACILITIES, FACILITIES_CHANGES } from "./fixtures.ts";
import { runCounts } from "../run_counts.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const SITES_TYPES = new URL("../fixtures/upload_types/", import.meta.url);

async function exportText(app: TestApp, type = "facilities"): Promise<string> {
  const res = await app.fetch(`/api/v1/upload-types/${type}/export.csv`);
  assertEquals(res.status, 200);
  return await res.text();
}

async function upload(app: TestApp, type: string, csv: string, mode = "direct"): Promise<Json> {
  const res = await app.upload(type, csv, { mode: mode as "direct" | "staged" });
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  return run;
}

async function post(app: TestApp, path: string): Promise<{ status: number; body: Json }> {
  const res = await app.fetch(path, { method: "POST" });
  return { status: res.status, body: await app.json<Json>(res) };
}

function revert(app: TestApp, runId: string) {
  return post(app, `/api/v1/runs/${runId}/revert`);
}

appTest("revert of a reviewed commit restores the exact previous table", async (app) => {
  const first = await upload(app, "facilities", FACILITIES);
  const before = await exportText(app);
  const staged = await upload(app, "facilities", FACILITIES_CHANGES, "staged");
  const committed = await post(app, `/api/v1/runs/${staged.id}/commit`);
  assertEquals(committed.status, 200);
  assert(await exportText(app) !== before, "the commit changed the table");

  const { status, body } = await revert(app, staged.id);
  assertEquals(status, 200, JSON.stringify(body));
  assertEquals(body.status, "reverted");
  assertEquals(body.revertedBy, null, "no authentication: the local admin has no name");
  assertMatch(body.revertedAt, /^\d{4}-\d\d-\d\dT/);
  assertEquals(await exportText(app), before);
  // The first run inserted its rows and kept no undo rows; the row the revert put back
  // (ABC-000002, which the first run had inserted) is handed to it.
  const undo = await sql<{ run_id: string; key: string[] }>`select run_id, key from ingest_undo`
    .execute(app.db.kysely);
  assertEquals(undo.rows.map((r) => [r.run_id, r.key]), [[first.id, ["ABC-000002"]]]);

  const listed = await app.json<Json>(await app.fetch("/api/v1/runs?status=reverted"));
  assertEquals(listed.runs.map((r: Json) => r.id), [staged.id]);
  const again = await revert(app, staged.id);
  assertEquals(again.status, 409);
  assertEquals(again.body.error.type, "conflict");
  assertMatch(again.body.error.message, /is reverted/);
});

appTest("revert of a direct import deletes what it inserted", async (app) => {
  const empty = await exportText(app);
  const run = await upload(app, "facilities", FACILITIES);
  assertEquals(run.status, "committed");
  const { status, body } = await revert(app, run.id);
  assertEquals(status, 200, JSON.stringify(body));
  assertEquals(await exportText(app), empty);
});

appTest(
  "revert of a replace-mode run restores the rows it deleted",
  async (app) => {
    const db = app.services.database.kysely;
    await sql`insert into test_sites values ('S1', 10), ('S2', 20), ('S3', 30)`.execute(db);
    const before = await exportText(app, "sites");
    const run = await upload(app, "sites", "code,staff\nS1,10\nS2,25\nS4,5\n");
    assertEquals(run.counts, runCounts({ rows: 3, new: 1, changed: 1, unchanged: 1, deleted: 1 }));
    assertEquals(await exportText(app, "sites"), "code,staff\r\nS1,10\r\nS2,25\r\nS4,5\r\n");
    const { status, body } = await revert(app, run.id);
    assertEquals(status, 200, JSON.stringify(body));
    assertEquals(await exportText(app, "sites"), before);
  },
  {},
  SITES_TYPES,
  createSitesTable,
);

appTest("revert is refused when a later run changed a row; nothing changes", async (app) => {
  await upload(app, "facilities", FACILITIES);
  const first = await upload(
    app,
    "facilities",
    FACILITIES_CHANGES.split("\n").slice(0, 4).join("\n"),
  );
  assertEquals(first.counts.changed, 1);
  // A later run changes the row the first one changed.
  await upload(
    app,
    "facilities",
    "facility_id,name\nABC-000002,South Plant III\nABC-000003,East Works\n",
  );
  const current = await exportText(app);
  const { status, body } = await revert(app, first.id);
  assertEquals(status, 409);
  assertEquals(body.error.type, "revert_conflict");
  assertEquals(body.error.details.conflicts, 1);
  assertEquals(body.error.details.keys, [{ facility_id: "ABC-000002" }]);
  assertEquals(await exportText(app), current);
  const run = await app.json<Json>(await app.fetch(`/api/v1/runs/${first.id}`));
  assertEquals([run.status, run.revertedAt], ["committed", null]);
});

appTest("revert is refused for a run that is not committed", async (app) => {
  await upload(app, "facilities", FACILITIES);
  const staged = await upload(app, "facilities", FACILITIES_CHANGES, "staged");
  const { status, body } = await revert(app, staged.id);
  assertEquals(status, 409);
  assertEquals(body.error.type, "conflict");
  assertEquals(body.error.details.status, "staged");
  const failed = await app.json<Json>(await app.upload("facilities", FACILITIES_CHANGES));
  const refused = await revert(app, failed.error.details.runId);
  assertEquals([refused.status, refused.body.error.type], [409, "conflict"]);
  const missing = await revert(app, crypto.randomUUID());
  assertEquals([missing.status, missing.body.error.type], [404, "not_found"]);
});

appTest("a later run reverted first lets the earlier one revert too", async (app) => {
  const empty = await exportText(app);
  const first = await upload(app, "facilities", FACILITIES);
  const second = await upload(
    app,
    "facilities",
    FACILITIES_CHANGES.split("\n").slice(0, 4).join("\n"),
  );
  assertEquals((await revert(app, first.id)).status, 409, "the second run changed its rows");
  assertEquals((await revert(app, second.id)).status, 200);
  assertEquals((await revert(app, first.id)).status, 200);
  assertEquals(await exportText(app), empty);
});

appTest("inserted rows are known by their transaction, through VACUUM FREEZE", async (app) => {
  const db = app.db.kysely;
  const empty = await exportText(app);
  const run = await upload(app, "facilities", FACILITIES);
  await sql`vacuum freeze facilities`.execute(db);
  assertEquals((await revert(app, run.id)).status, 200);
  assertEquals(await exportText(app), empty);
});

appTest("a row it inserted, rewritten or deleted since, refuses the revert", async (app) => {
  const db = app.db.kysely;
  const run = await upload(app, "facilities", FACILITIES);
  // The same values written again are still a later write: the revert cannot tell it from a
  // change, so it refuses rather than delete a row someone else wrote.
  await sql`update facilities set name = name where facility_id = 'ABC-000001'`.execute(db);
  await sql`delete from facilities where facility_id = 'ABC-000003'`.execute(db);
  const current = await exportText(app);
  const { status, body } = await revert(app, run.id);
  assertEquals([status, body.error.type], [409, "revert_conflict"]);
  assertEquals([body.error.details.conflicts, body.error.details.keys], [2, []]);
  assertMatch(
    body.error.message,
    /2 row\(s\) it wrote changed since \(2 of the rows it inserted\)/,
  );
  assertEquals(await exportText(app), current);
});

appTest(
  "a replace run reverted gives the rows it deleted back to the run that inserted them",
  async (app) => {
    const empty = await exportText(app, "sites");
    const first = await upload(app, "sites", "code,staff\nS1,10\nS2,20\nS3,30\n");
    const second = await upload(app, "sites", "code,staff\nS1,11\nS4,5\n");
    assertEquals([second.counts.changed, second.counts.deleted], [1, 2]);
    assertEquals((await revert(app, first.id)).status, 409, "the second run rewrote its rows");
    assertEquals((await revert(app, second.id)).status, 200);
    assertEquals((await revert(app, first.id)).status, 200);
    assertEquals(await exportText(app, "sites"), empty);
  },
  {},
  SITES_TYPES,
  createSitesTable,
);

appTest(
  "the run page reverts a committed run after asking, and says why it cannot",
  async (app) => {
    const run = await upload(app, "facilities", FACILITIES);
    const page = await (await app.fetch(`/runs/${run.id}`)).text();
    assertMatch(page, /<form method="post" id="revert">/);
    assertMatch(page, /Revert this import\?/);
    const form = new URLSearchParams({ intent: "revert" });
    const origin = { origin: app.url };
    const done = await app.fetch(`/runs/${run.id}`, {
      method: "POST",
      body: form,
      headers: origin,
      redirect: "manual",
    });
    assertEquals([done.status, done.headers.get("location")], [303, `/runs/${run.id}`]);
    await done.body?.cancel();
    const after = await (await app.fetch(`/runs/${run.id}`)).text();
    assertMatch(after, /badge-reverted/);
    assert(!after.includes('id="revert"'), "no revert button once reverted");

    const again = await app.fetch(`/runs/${run.id}`, {
      method: "POST",
      body: form,
      headers: origin,
    });
    assertEquals(again.status, 409);
    assertMatch(
      await again.text(),
      /Not possible in the run&#39;s current state|Not possible in the run's current state/,
    );
  },
);

import { assert, assertEquals, assertMatch } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { FACILITIES } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const HEADER = "facility_id,name,county,latitude,longitude,opened_on,active";

async function stage(app: TestApp, csv: string): Promise<Json> {
  const res = await app.upload("facilities", csv, { mode: "staged" });
  const run = await app.json<Json>(res);
  assertEquals(run.status, "staged", JSON.stringify(run));
  return run;
}

async function refusedCommit(app: TestApp, runId: string, message: RegExp): Promise<void> {
  const res = await app.fetch(`/api/v1/runs/${runId}/commit`, { method: "POST" });
  const body = await app.json<Json>(res);
  assertEquals(res.status, 409, JSON.stringify(body));
  assertEquals(body.error.type, "nothing_to_commit");
  assertMatch(body.error.message, message);
  const run = await app.json<Json>(await app.fetch(`/api/v1/runs/${runId}`));
  assertEquals(run.status, "staged", "the run waits for review again");
  assertEquals(run.finishedAt, null);
  // The review page's Commit button is disabled and says why.
  const page = await (await app.fetch(`/runs/${runId}/review`)).text();
  assertMatch(page, /<button[^>]*value="commit"[^>]*disabled/);
  assertMatch(page, /Nothing to commit: no row would change the table/);
}

appTest("a run whose rows are all invalid cannot be committed", async (app) => {
  const run = await stage(app, `${HEADER}\nbad-id,Broken,,95,,2023-02-30,maybe\n`);
  await refusedCommit(app, run.id, /Nothing to commit: .*\(1 invalid\)/);
  assertMatch(
    await (await app.fetch(`/runs/${run.id}/review`)).text(),
    /every row is invalid/,
  );
  // Without JavaScript the form posts anyway: the page answers 409 with the message.
  const res = await app.fetch(`/runs/${run.id}/review`, {
    method: "POST",
    body: new URLSearchParams({ intent: "commit" }),
    redirect: "manual",
  });
  assertEquals(res.status, 409);
  assertMatch(await res.text(), /Nothing to commit/);
  // Discard is still open to it.
  const discarded = await app.fetch(`/api/v1/runs/${run.id}/discard`, { method: "POST" });
  assertEquals(discarded.status, 200);
  await discarded.body?.cancel();
});

appTest("a run whose changes are all excluded or unchanged cannot be committed", async (app) => {
  assertEquals((await app.upload("facilities", FACILITIES)).status, 201);
  const unchanged = await stage(app, FACILITIES);
  await refusedCommit(app, unchanged.id, /\(3 unchanged\)/);
  assertMatch(
    await (await app.fetch(`/runs/${unchanged.id}/review`)).text(),
    /every row is unchanged/,
  );

  const changes = FACILITIES.replace("North Plant", "North Plant X");
  const run = await stage(app, changes);
  const res = await app.fetch(`/api/v1/runs/${run.id}/exclusions`, {
    method: "POST",
    body: JSON.stringify({ rows: [2] }),
  });
  assertEquals(res.status, 200);
  await res.body?.cancel();
  await refusedCommit(app, run.id, /\(2 unchanged, 1 excluded\)/);
  // Excluding at commit time counts too; including the row again lets it commit.
  const more = await app.fetch(`/api/v1/runs/${run.id}/exclusions`, {
    method: "POST",
    body: JSON.stringify({ rows: [2], excluded: false }),
  });
  await more.body?.cancel();
  const atCommit = await app.fetch(`/api/v1/runs/${run.id}/commit`, {
    method: "POST",
    body: JSON.stringify({ excludeRows: [2] }),
  });
  assertEquals(atCommit.status, 409);
  assertEquals((await app.json<Json>(atCommit)).error.type, "nothing_to_commit");
  const ok = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
  const committed = await app.json<Json>(ok);
  assertEquals(ok.status, 200, JSON.stringify(committed));
  assertEquals([committed.counts.changed, committed.counts.excluded], [1, 0]);
  const exported = await (await app.fetch("/api/v1/upload-types/facilities/export.csv")).text();
  assert(exported.includes("North Plant X"));
});

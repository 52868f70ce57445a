import { assert, assertEquals } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { FACILITIES, FACILITIES_CHANGES } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function staged(app: TestApp): Promise<string> {
  await app.upload("facilities", FACILITIES);
  const res = await app.upload("facilities", FACILITIES_CHANGES, { mode: "staged" });
  const run = await app.json<Json>(res);
  assertEquals(run.status, "staged", JSON.stringify(run));
  return run.id;
}

function exclude(app: TestApp, runId: string, body: unknown): Promise<Response> {
  return app.fetch(`/api/v1/runs/${runId}/exclusions`, {
    method: "POST",
    body: JSON.stringify(body),
  });
}

appTest("exclusions are saved during review and honoured by the commit", async (app) => {
  const runId = await staged(app);
  // Row 3 is changed, row 4 new, row 2 unchanged and row 5 invalid (not excludable).
  let res = await exclude(app, runId, { rows: [2, 3, 4, 5] });
  assertEquals(res.status, 200);
  assertEquals((await app.json<Json>(res)).excluded, { new: 1, changed: 1, deleted: 0 });
  res = await exclude(app, runId, { rows: [4], excluded: false });
  assertEquals((await app.json<Json>(res)).excluded, { new: 0, changed: 1, deleted: 0 });
  const get = await app.json<Json>(await app.fetch(`/api/v1/runs/${runId}/exclusions`));
  assertEquals(get.excluded, { new: 0, changed: 1, deleted: 0 });
  const rows = (await app.json<Json>(await app.fetch(`/api/v1/runs/${runId}/rows`))).rows;
  assertEquals(rows.filter((r: Json) => r.excluded).map((r: Json) => r.rowNumber), [3]);

  res = await app.fetch(`/api/v1/runs/${runId}/commit`, { method: "POST" });
  assertEquals(res.status, 200);
  await res.body?.cancel();
  const exported = await (await app.fetch("/api/v1/upload-types/facilities/export.csv")).text();
  assert(exported.includes("ABC-000002,South Plant,Essex"), "the excluded change stays out");
  assert(exported.includes("West Depot"), "the re-included new row is in");

  res = await exclude(app, runId, { rows: [4] });
  assertEquals(res.status, 409, "a committed run's exclusions cannot change");
  assertEquals((await app.json<Json>(res)).error.type, "conflict");
});

appTest("exclusions refuse a malformed body and an unknown run", async (app) => {
  const runId = await staged(app);
  for (const body of [{ rows: [] }, { rows: ["3"] }, { rows: [3], extra: 1 }, []]) {
    const res = await exclude(app, runId, body);
    assertEquals(res.status, 400, JSON.stringify(body));
    assertEquals((await app.json<Json>(res)).error.type, "bad_request");
  }
  const res = await exclude(app, "00000000-0000-0000-0000-000000000000", { rows: [3] });
  assertEquals(res.status, 404);
  await res.body?.cancel();
});

appTest("the review form saves ticks page by page without JavaScript", async (app) => {
  const runId = await staged(app);
  const post = (pairs: string[][]) =>
    app.fetch(`/runs/${runId}/review`, {
      method: "POST",
      body: new URLSearchParams(pairs),
      redirect: "manual",
    });
  let res = await post([["intent", "select"], ["shown", "3"], ["shown", "4"], ["exclude", "3"]]);
  assertEquals(res.status, 303);
  await res.body?.cancel();
  const page = await (await app.fetch(`/runs/${runId}/review`)).text();
  assert(page.includes("1 excluded"), "the commit summary counts the saved exclusion");
  // Unticking row 3 on this page includes it again; ticking 4 excludes it.
  res = await post([["intent", "commit"], ["shown", "3"], ["shown", "4"], ["exclude", "4"]]);
  assertEquals(res.status, 303);
  await res.body?.cancel();
  const exported = await (await app.fetch("/api/v1/upload-types/facilities/export.csv")).text();
  assert(exported.includes("South Plant II"), "re-included change applied");
  assert(!exported.includes("West Depot"), "row ticked at commit stays out");
});

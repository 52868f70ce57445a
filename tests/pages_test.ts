import { assert, assertEquals, assertMatch } from "./assert.ts";
import { sql } from "kysely";
import { appTest, type TestApp } from "./app_harness.ts";
import { FACILITIES, FACILITIES_CHANGES } from "./api/fixtures.ts";

async function page(app: TestApp, path: string, status = 200): Promise<string> {
  const res = await app.fetch(path);
  assertEquals(res.status, status, path);
  assertMatch(res.headers.get("content-type")!, /^text\/html/);
  return await res.text();
}

function formUpload(csv: string, mode: string): FormData {
  const form = new FormData();
  form.set("mode", mode);
  form.set("file", new File([csv], "plants.csv", { type: "text/csv" }));
  return form;
}

appTest("pages render on the server and ship no script without islands", async (app) => {
  const home = await page(app, "/");
  assert(home.startsWith("<!DOCTYPE html>"));
  assert(home.includes("Facilities") && home.includes("Emissions"));
  assert(!home.includes("<script"), "no JavaScript on a page without islands");
  assert(!(await page(app, "/runs")).includes("<script"));
  const upload = await page(app, "/upload/facilities");
  assert(upload.includes('enctype="multipart/form-data"'), "the island renders a real form");
  assertMatch(upload, /<!--frsh-uploadprogress_default:0:-->/);
  assert(upload.includes("<td>facility_id, facility</td>"), "name and aliases listed once");
  assert((await page(app, "/runs")).includes("No runs yet"));
  await page(app, "/upload/nope", 404);
  await page(app, "/runs/00000000-0000-0000-0000-000000000000", 404);
});

appTest("the upload form works without JavaScript: 303 to the run, review, commit", async (app) => {
  await app.upload("facilities", FACILITIES);
  const res = await app.fetch("/upload/facilities", {
    method: "POST",
    body: formUpload(FACILITIES_CHANGES, "staged"),
    redirect: "manual",
  });
  assertEquals(res.status, 303);
  const location = res.headers.get("location")!;
  assertMatch(location, /^\/runs\/[0-9a-f-]{36}$/);
  const run = await page(app, location);
  assert(run.includes("Ready for review"));

  const review = await page(app, `${location}/review`);
  assert(review.includes("South Plant II"), "new value of a changed cell");
  assert(review.includes("Must be at most 90"), "cell error shown");
  assert(review.includes("Duplicate key"), "duplicate key error shown");
  assert((await page(app, `${location}/review?action=invalid`)).includes("Broken"));

  const commit = await app.fetch(`${location}/review`, {
    method: "POST",
    body: new URLSearchParams([["intent", "commit"], ["exclude", "4"]]),
    redirect: "manual",
  });
  assertEquals(commit.status, 303);
  await commit.body?.cancel();
  const exported = await (await app.fetch("/api/v1/upload-types/facilities/export.csv")).text();
  assert(exported.includes("South Plant II"));
  assert(!exported.includes("West Depot"), "excluded row not imported");
  assert((await page(app, location)).includes("Imported"));
});

appTest("a file with a missing required column shows the missing column", async (app) => {
  // The form answers with the page's mapping step, naming what is missing…
  const res = await app.fetch("/upload/facilities", {
    method: "POST",
    body: formUpload("county\nKent\n", "direct"),
    redirect: "manual",
  });
  assertEquals(res.status, 422);
  const step = await res.text();
  assert(step.includes("Match the columns of plants.csv"));
  assertMatch(step, /role="alert"><p>Still missing: Facility ID, Name<\/p>/);
  // …and the refused run's page lists it.
  const failed = (await (await app.fetch("/api/v1/runs?status=failed")).json()).runs[0];
  const run = await page(app, `/runs/${failed.id}`);
  assert(run.includes("The header row does not match this upload type"));
  assertMatch(run, /Missing required columns<\/h3><ul class="chips"><li><code>facility_id<\/code>/);
});

appTest("the upload page's mapping step checks the columns chosen", async (app) => {
  const choose = (pairs: string[][]) =>
    app.fetch("/upload/facilities", {
      method: "POST",
      body: new URLSearchParams([["intent", "columns"], ...pairs]),
    });
  // Not a column of the type, or a header without its column: a readable 400 page.
  for (
    const pairs of [
      [["header", "Site"], ["column", "nope"]],
      [["header", "Site"], ["header", "Name"], ["column", "name"]],
      [],
    ]
  ) {
    const res = await choose(pairs);
    assertEquals(res.status, 400, JSON.stringify(pairs));
    assertMatch(res.headers.get("content-type")!, /^text\/html/);
    await res.body?.cancel();
  }
  // Two file columns for one column: the step again, with why.
  const twice = await choose([
    ["header", "Site"],
    ["column", "facility_id"],
    ["header", "Plant"],
    ["column", "facility_id"],
    ["header", "Title"],
    ["column", "name"],
  ]);
  assertEquals(twice.status, 422);
  assertMatch(
    await twice.text(),
    /&quot;Site&quot; and &quot;Plant&quot; both go to Facility ID: one column of the file per column/,
  );
  // A good choice goes into the upload form's hidden mapping field.
  const good = await choose([
    ["header", "Site"],
    ["column", "facility_id"],
    ["header", "Title"],
    ["column", "name"],
    ["header", "Extra"],
    ["column", ""],
  ]);
  assertEquals(good.status, 200);
  const html = await good.text();
  const field = html.match(/<input type="hidden" name="mapping" value="([^"]+)"/)?.[1];
  assertEquals(
    JSON.parse(field!.replaceAll("&quot;", '"')),
    { Site: "facility_id", Title: "name", Extra: null },
  );
});

appTest(
  "a run still processing ships the RunStatus island, on its page and in the history",
  async (app) => {
    const run = await app.services.store.createRun({
      id: crypto.randomUUID(),
      uploadType: "facilities",
      mode: "direct",
      fileName: "slow.csv",
      contentType: "text/csv",
      actor: null,
      traceId: null,
    });
    const html = await page(app, `/runs/${run.id}`);
    assertMatch(html, /<!--frsh-runstatus_default:0:-->/);
    assert(html.includes('aria-live="polite"'));
    assert(html.includes("<script"), "the island's boot script");
    assert(html.includes('http-equiv="refresh"'), "no-JS refresh kept inside <noscript>");
    const history = await page(app, "/runs");
    assertMatch(history, /<!--frsh-runstatus_default:0:-->/, "history follows the active run");
    await app.services.store.updateRun(run.id, ["receiving"], {
      status: "failed",
      error: { type: "cancelled", message: "gone", details: {} },
      finishedAt: true,
    });
    assert(!(await page(app, "/runs")).includes("<script"), "no script once nothing is active");
  },
);

/** `count` valid facilities, ABC-000001 onwards. */
function manyFacilities(count: number): string {
  const lines = ["facility_id,name"];
  for (let i = 1; i <= count; i++) lines.push(`ABC-${String(i).padStart(6, "0")},Site ${i}`);
  return lines.join("\n") + "\n";
}

appTest("numbers and dates are written one way on every page", async (app) => {
  const res = await app.upload("facilities", manyFacilities(1200), { mode: "staged" });
  const run = await res.json();
  const review = await page(app, `/runs/${run.id}/review`);
  assertMatch(review, /All \(1,200\)/);
  assertMatch(review, /new \(1,200\)/);
  assertMatch(review, /100 of 1,200 rows/);
  assertMatch(review, /Commit will apply 1,200 new and 0 changed rows/);
  assertMatch(await page(app, `/runs/${run.id}`), /<dd>1,200<\/dd>/);
  assertMatch(await page(app, "/runs"), /<td class="num">1,200<\/td>/);

  // One date style: the run page's and the home page's "last run" read the same.
  const when = /(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC)/;
  const created = when.exec(await page(app, `/runs/${run.id}`))![1];
  const home = await page(app, "/");
  assert(home.includes(`>${created}</a>`), "the home page's last run in the same format");
  assert(!/\d{1,2}\/\d{1,2}\/\d{4}/.test(home), "no locale date format");
});

appTest("the upload page describes a patterned column in plain words", async (app) => {
  const upload = await page(app, "/upload/facilities");
  const start = upload.indexOf("<h2>Expected columns</h2>");
  const table = upload.slice(start, upload.indexOf("</table>", start));
  assert(
    table.includes(
      '<td class="rules">Three capital letters, a dash and six digits, e.g. ABC-000123</td>',
    ),
  );
  assert(!table.includes("[A-Z]{3}"), "no regular expression in the expected columns");
  // A column without a description lists the rules read from its config (none for County).
  assertMatch(
    table,
    /<th scope="row" title="county">County<\/th><td>text<\/td><td class="rules">—<\/td>/,
  );
});

appTest("the history shows processing and waiting for review apart", async (app) => {
  await app.upload("facilities", FACILITIES);
  const staged = await (await app.upload("facilities", FACILITIES_CHANGES, { mode: "staged" }))
    .json();
  const commit = await app.fetch(`/runs/${staged.id}/review`, {
    method: "POST",
    body: new URLSearchParams([["intent", "commit"]]),
    redirect: "manual",
  });
  assertEquals(commit.status, 303);
  await commit.body?.cancel();
  const committed = await (await app.fetch(`/api/v1/runs/${staged.id}`)).json();
  assert(committed.commitStartedAt, "the commit stamps when it began");
  assert(committed.stagedAt <= committed.commitStartedAt);
  assert(committed.commitStartedAt <= committed.finishedAt);

  // Fixed times: 2 s to stage, three hours in review, 1.5 s to commit.
  await sql`update ingest_runs set created_at = '2026-01-05T10:00:00Z',
    staged_at = '2026-01-05T10:00:02Z', commit_started_at = '2026-01-05T13:00:02Z',
    finished_at = '2026-01-05T13:00:03.5Z' where id = ${staged.id}`.execute(app.db.kysely);
  const reviewing = await (await app.upload("facilities", FACILITIES_CHANGES, { mode: "staged" }))
    .json();
  const history = await page(app, "/runs");
  const row = (id: string) => {
    const start = history.indexOf(`href="/runs/${id}"`);
    return history.slice(start, history.indexOf("</tr>", start));
  };
  assertMatch(row(staged.id), /<td class="num">3\.5 s<\/td><td class="num">3 h<\/td>$/);
  assertMatch(row(reviewing.id), /<td class="num">[\d.]+ s<\/td><td class="num">in review<\/td>$/);
  const direct = (await (await app.fetch("/api/v1/runs?status=committed")).json()).runs
    .find((r: { mode: string }) => r.mode === "direct");
  assertMatch(row(direct.id), /<td class="num">[\d.]+ s<\/td><td class="num">—<\/td>$/);
  assert(!history.includes(">Took<"), "no single figure mixing both");
  const runPage = await page(app, `/runs/${staged.id}`);
  assertMatch(
    runPage,
    /<dt>Processing<\/dt><dd>3\.5 s<\/dd><dt>Waiting for review<\/dt><dd>3 h<\/dd>/,
  );
});

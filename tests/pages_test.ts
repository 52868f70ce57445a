import { assert, assertEquals, assertMatch } from "./assert.ts";
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
  assert(upload.includes("<td>Facility ID, facility</td>"), "label and aliases listed once");
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
  const res = await app.fetch("/upload/facilities", {
    method: "POST",
    body: formUpload("county\nKent\n", "direct"),
    redirect: "manual",
  });
  assertEquals(res.status, 303);
  const run = await page(app, res.headers.get("location")!);
  assert(run.includes("The header row does not match this upload type"));
  assertMatch(run, /Missing required columns<\/h3><ul class="chips"><li><code>facility_id<\/code>/);
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

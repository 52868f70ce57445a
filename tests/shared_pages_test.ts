/**
 * The home and upload pages are shared between requests (`LastRuns`, `renderShared`): they must
 * still show a new run or a new status at once, and never show one principal another's page.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { appTest, type TestApp } from "./app_harness.ts";
import { FACILITIES } from "./api/fixtures.ts";
import { AUTH_ENV, bearer, signIn, TOKENS, uploadAs } from "./auth/fixtures.ts";

async function html(app: TestApp, path: string, headers: HeadersInit = {}): Promise<string> {
  const res = await app.fetch(path, { headers });
  assertEquals(res.status, 200, path);
  return await res.text();
}

/** The facilities card of the home page. */
async function facilitiesCard(app: TestApp, headers: HeadersInit = {}): Promise<string> {
  const home = await html(app, "/", headers);
  return home.slice(home.indexOf('href="/upload/facilities"'));
}

appTest("the home page shows a new run and its new status at once", async (app) => {
  assert((await facilitiesCard(app)).includes("never"));
  const staged = await app.json<{ id: string }>(
    await app.upload("facilities", FACILITIES, { mode: "staged" }),
  );
  const card = await facilitiesCard(app);
  assert(card.includes(`/runs/${staged.id}`), "the new run, without waiting for the TTL");
  assert(card.includes("badge-staged"), card.slice(0, 600));
  const commit = await app.fetch(`/api/v1/runs/${staged.id}/commit`, { method: "POST" });
  assertEquals(commit.status, 200);
  await commit.body?.cancel();
  assert((await facilitiesCard(app)).includes("badge-committed"), "the new status at once");
  assertEquals(await html(app, "/upload/facilities"), await html(app, "/upload/facilities"));
});

appTest("each principal gets their own pages", async (app) => {
  const ciRun = await app.json<{ id: string }>(await uploadAs(app, TOKENS.ci, FACILITIES));
  // Uploaders see only their own runs: ci's run is not nightly's to see, not even on `/`.
  assert((await facilitiesCard(app, bearer(TOKENS.ci))).includes(ciRun.id));
  assert(!(await facilitiesCard(app, bearer(TOKENS.nightly))).includes(ciRun.id));
  assert((await facilitiesCard(app, bearer(TOKENS.ops))).includes(ciRun.id), "an admin sees all");
  assert((await facilitiesCard(app, bearer(TOKENS.ci))).includes(ciRun.id));
  // A reviewer may not upload: the same URL answers 403 to them, 200 to an uploader.
  const checker = await app.fetch("/upload/facilities", { headers: bearer(TOKENS.checker) });
  assertEquals(checker.status, 403);
  await checker.body?.cancel();
  assert((await html(app, "/upload/facilities", bearer(TOKENS.ci))).includes("multipart"));

  // Sessions are never shared: each page carries its user's name and anti-CSRF token.
  const pages = [];
  for (const name of ["ulla", "ute", "ulla"] as const) {
    const cookie = await signIn(app, name);
    for (const path of ["/", "/upload/facilities"]) {
      const page = await html(app, path, { cookie });
      assert(page.includes(`${name} (uploader)`), `${name} on ${path}`);
      pages.push(page.match(/name="_csrf" value="([^"]+)"/)?.[1]);
    }
  }
  assertEquals(new Set(pages).size, 3, "one token per session, the same on both pages");
}, AUTH_ENV);

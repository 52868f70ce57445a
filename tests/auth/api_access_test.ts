/**
 * The API with authentication on: no credentials and wrong tokens get 401, an uploader works
 * with their own runs only (others' runs are 404, review actions 403), a reviewer sees and
 * commits everything but does not upload. Every refusal leaves runs and the target unchanged.
 */
import { appTest } from "../app_harness.ts";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { FACILITIES } from "../api/fixtures.ts";
import { AUTH_ENV, bearer, errorType, snapshot, TOKENS, uploadAs } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

appTest("without credentials the API answers 401 and starts nothing", async (app) => {
  for (const path of ["/api/v1/runs", "/api/v1/upload-types", "/api/v1/nope"]) {
    const res = await app.fetch(path);
    assertEquals(res.status, 401, path);
    assertEquals(res.headers.get("www-authenticate"), 'Bearer realm="intake"');
    assertEquals(await errorType(res), "unauthorized");
  }
  const before = await snapshot(app);
  const upload = await app.upload("facilities", FACILITIES);
  assertEquals(upload.status, 401);
  await upload.body?.cancel();
  assertEquals(await snapshot(app), before);
  assertEquals(before, { runs: [], facilities: 0 });
  // Probes stay open.
  const health = await app.fetch("/health");
  assertEquals(health.status, 200);
  await health.body?.cancel();
}, AUTH_ENV);

appTest("a wrong or malformed token answers 401 invalid_token", async (app) => {
  for (const authorization of [`Bearer ${TOKENS.ci}x`, "Bearer ", "Basic dWxsYTp1bGxhLXB3"]) {
    const res = await app.fetch("/api/v1/runs", { headers: { authorization } });
    assertEquals(res.status, 401, authorization);
    assertEquals(
      res.headers.get("www-authenticate"),
      'Bearer realm="intake", error="invalid_token"',
    );
    assertEquals(await errorType(res), "unauthorized");
  }
  const res = await uploadAs(app, "intake_not-a-token", FACILITIES);
  assertEquals(res.status, 401);
  await res.body?.cancel();
  assertEquals(await snapshot(app), { runs: [], facilities: 0 });
}, AUTH_ENV);

appTest("an uploader works with their own runs; others' runs are 404 to them", async (app) => {
  const res = await uploadAs(app, TOKENS.ci, FACILITIES);
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  assertEquals([run.status, run.actor], ["staged", "ci"]);
  assertMatch(run.id, UUID_V4, "run ids are random, not guessable");
  const ci = bearer(TOKENS.ci);
  const nightly = bearer(TOKENS.nightly);

  // The owner reads everything about the run.
  for (const path of ["", "/rows", "/errors.csv", "/exclusions", "/events", "/edits"]) {
    const own = await app.fetch(`/api/v1/runs/${run.id}${path}`, { headers: ci });
    assertEquals(own.status, 200, path);
    await own.body?.cancel();
  }
  assertEquals(
    (await app.json<Json>(await app.fetch("/api/v1/runs", { headers: ci }))).runs.length,
    1,
  );

  // Another uploader: the run does not exist for them, and their history is empty.
  const other = await uploadAs(app, TOKENS.nightly, FACILITIES, { mode: "staged" });
  const otherRun = await app.json<Json>(other);
  const listed = await app.json<Json>(await app.fetch("/api/v1/runs", { headers: nightly }));
  assertEquals(listed.runs.map((r: Json) => r.id), [otherRun.id]);
  const before = await snapshot(app);
  for (const path of ["", "/rows", "/errors.csv", "/exclusions", "/events"]) {
    const res = await app.fetch(`/api/v1/runs/${run.id}${path}`, { headers: nightly });
    assertEquals(res.status, 404, path);
    const body = await app.json<Json>(res);
    assertEquals(body.error, {
      type: "not_found",
      message: `No run with id "${run.id}"`,
      details: { runId: run.id },
    }, "exactly the answer for an id that does not exist");
  }
  for (const action of ["commit", "discard", "refresh"]) {
    const res = await app.fetch(`/api/v1/runs/${run.id}/${action}`, {
      method: "POST",
      headers: nightly,
    });
    assertEquals([res.status, await errorType(res)], [404, "not_found"], action);
  }

  // The owner may not decide on it either: that is a reviewer's job.
  for (const action of ["commit", "discard", "refresh"]) {
    const res = await app.fetch(`/api/v1/runs/${run.id}/${action}`, {
      method: "POST",
      headers: ci,
    });
    assertEquals([res.status, await errorType(res)], [403, "forbidden"], action);
  }
  const exclude = await app.fetch(`/api/v1/runs/${run.id}/exclusions`, {
    method: "POST",
    headers: { ...ci, "content-type": "application/json" },
    body: JSON.stringify({ rows: [2] }),
  });
  assertEquals([exclude.status, await errorType(exclude)], [403, "forbidden"]);
  for (
    const [method, path, body] of [
      ["PATCH", "/rows/2", { cells: { name: "X" } }],
      ["POST", "/fixes", { op: "trim" }],
    ] as const
  ) {
    const res = await app.fetch(`/api/v1/runs/${run.id}${path}`, {
      method,
      headers: { ...ci, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assertEquals([res.status, await errorType(res)], [403, "forbidden"], path);
  }
  const exported = await app.fetch("/api/v1/upload-types/facilities/export.csv", { headers: ci });
  assertEquals([exported.status, await errorType(exported)], [403, "forbidden"]);
  assertEquals(await snapshot(app), before);
  const excluded = await app.json<Json>(
    await app.fetch(`/api/v1/runs/${run.id}/exclusions`, { headers: ci }),
  );
  assertEquals(Object.values(excluded.excluded).every((n) => n === 0), true, "nothing excluded");
}, AUTH_ENV);

appTest("a reviewer sees every run and commits, but may not upload", async (app) => {
  const staged = await app.json<Json>(await uploadAs(app, TOKENS.ci, FACILITIES));
  const checker = bearer(TOKENS.checker);
  const listed = await app.json<Json>(await app.fetch("/api/v1/runs", { headers: checker }));
  assertEquals(listed.runs.map((r: Json) => r.id), [staged.id]);

  const before = await snapshot(app);
  const upload = await uploadAs(app, TOKENS.checker, FACILITIES);
  assertEquals([upload.status, await errorType(upload)], [403, "forbidden"]);
  assertEquals(await snapshot(app), before);

  const commit = await app.fetch(`/api/v1/runs/${staged.id}/commit`, {
    method: "POST",
    headers: checker,
  });
  const committed = await app.json<Json>(commit);
  assertEquals(commit.status, 200, JSON.stringify(committed));
  assertEquals(committed.status, "committed");
  assertEquals((await snapshot(app)).facilities, 3);
  const exported = await app.fetch("/api/v1/upload-types/facilities/export.csv", {
    headers: checker,
  });
  assert((await exported.text()).includes("North Plant"));

  // Reverting is an admin's: the reviewer is refused, the target stays; the admin reverts.
  const revert = (token: string) =>
    app.fetch(`/api/v1/runs/${staged.id}/revert`, { method: "POST", headers: bearer(token) });
  const refused = await revert(TOKENS.checker);
  assertEquals([refused.status, await errorType(refused)], [403, "forbidden"]);
  assertEquals((await snapshot(app)).facilities, 3);
  const reverted = await app.json<Json>(await revert(TOKENS.ops));
  assertEquals([reverted.status, reverted.revertedBy], ["reverted", "ops"]);
  assertEquals((await snapshot(app)).facilities, 0);
}, AUTH_ENV);

appTest("uploads over INTAKE_UPLOAD_RATE answer 429 with Retry-After", async (app) => {
  for (let i = 0; i < 2; i++) {
    const res = await uploadAs(app, TOKENS.ci, FACILITIES);
    assertEquals(res.status, 201);
    await res.body?.cancel();
  }
  const before = await snapshot(app);
  const refused = await uploadAs(app, TOKENS.ci, FACILITIES);
  assertEquals(refused.status, 429);
  const retryAfter = Number(refused.headers.get("retry-after"));
  assert(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 1800, `${retryAfter}`);
  const body = await app.json<Json>(refused);
  assertEquals(body.error.type, "rate_limited");
  assertEquals(body.error.details.retryAfterSeconds, retryAfter);
  assertMatch(body.error.message, /^Too many uploads: at most 2 per hour; try again in \d+ s$/);
  assertEquals(await snapshot(app), before);

  // The bucket is per token: another client is not slowed down.
  const other = await uploadAs(app, TOKENS.nightly, FACILITIES);
  assertEquals(other.status, 201);
  await other.body?.cancel();
}, { ...AUTH_ENV, INTAKE_UPLOAD_RATE: "2/hour" });

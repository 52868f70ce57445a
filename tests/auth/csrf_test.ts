/**
 * Cross-site request forgery: cookie-authenticated unsafe requests from another site are refused
 * and change nothing; same-origin ones work; without Origin the form's token decides; bearer-token
 * calls are exempt.
 */
import { appTest, type TestApp } from "../app_harness.ts";
import { assert, assertEquals } from "../assert.ts";
import { FACILITIES } from "../api/fixtures.ts";
import { AUTH_ENV, errorType, signIn, snapshot, TOKENS, uploadAs } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function staged(app: TestApp): Promise<string> {
  const res = await uploadAs(app, TOKENS.ci, FACILITIES);
  assertEquals(res.status, 201);
  return (await app.json<Json>(res)).id;
}

/** The anti-CSRF token of the session, from a page's hidden field. */
async function csrfToken(app: TestApp, cookie: string, path = "/"): Promise<string> {
  const page = await (await app.fetch(path, { headers: { cookie } })).text();
  return /name="_csrf" value="([\w-]+)"/.exec(page)![1];
}

function review(
  app: TestApp,
  id: string,
  body: Record<string, string>,
  headers: Record<string, string>,
) {
  return app.fetch(`/runs/${id}/review`, {
    method: "POST",
    body: new URLSearchParams(body),
    headers,
    redirect: "manual",
  });
}

appTest(
  "a cookie-authenticated POST from another site is refused and changes nothing",
  async (app) => {
    const id = await staged(app);
    const cookie = await signIn(app, "rita");
    const before = await snapshot(app);
    const forged: Record<string, string>[] = [
      { cookie, origin: "http://evil.example" },
      { cookie, origin: "null" },
      { cookie, origin: app.url.replace("127.0.0.1", "localhost") },
      { cookie, "sec-fetch-site": "cross-site" },
      { cookie, "sec-fetch-site": "same-site" },
    ];
    for (const headers of forged) {
      const res = await review(app, id, { intent: "commit" }, headers);
      assertEquals(res.status, 403, JSON.stringify(headers));
      assert((await res.text()).includes("(csrf_rejected)"));
    }
    const api = await app.fetch(`/api/v1/runs/${id}/discard`, {
      method: "POST",
      headers: { cookie, origin: "http://evil.example" },
    });
    assertEquals([api.status, await errorType(api)], [403, "csrf_rejected"]);
    const logout = await app.fetch("/logout", {
      method: "POST",
      headers: { cookie, origin: "http://evil.example" },
      redirect: "manual",
    });
    assertEquals([logout.status, logout.headers.get("set-cookie")], [403, null]);
    await logout.body?.cancel();
    assertEquals(await snapshot(app), before);

    // The same request from our own page goes through.
    const ok = await review(app, id, { intent: "commit" }, { cookie, origin: app.url });
    assertEquals([ok.status, ok.headers.get("location")], [303, `/runs/${id}`]);
    assertEquals((await snapshot(app)).facilities, 3);
  },
  AUTH_ENV,
);

appTest("without Origin, a form needs the session's anti-CSRF token", async (app) => {
  const id = await staged(app);
  const cookie = await signIn(app, "rita");
  const token = await csrfToken(app, cookie, `/runs/${id}/review`);
  const other = await csrfToken(app, await signIn(app, "ada"));
  const before = await snapshot(app);
  const bodies: Record<string, string>[] = [{ intent: "discard" }, {
    intent: "discard",
    _csrf: other,
  }];
  for (const body of bodies) {
    const res = await review(app, id, body, { cookie });
    assertEquals(res.status, 403, JSON.stringify(body));
    await res.body?.cancel();
  }
  const json = await app.fetch(`/api/v1/runs/${id}/discard`, {
    method: "POST",
    headers: { cookie, "x-csrf-token": other },
  });
  assertEquals([json.status, await errorType(json)], [403, "csrf_rejected"]);
  assertEquals(await snapshot(app), before);

  const ok = await review(app, id, { intent: "discard", _csrf: token }, { cookie });
  assertEquals(ok.status, 303);
  assertEquals((await app.services.store.getRun(id))?.status, "discarded");
}, AUTH_ENV);

appTest("the token also works as a header and as the first field of an upload", async (app) => {
  const cookie = await signIn(app, "ada");
  const token = await csrfToken(app, cookie, "/upload/facilities");
  // Big enough to arrive in many chunks, so the token is read before the file has arrived.
  const rows = Array.from(
    { length: 20_000 },
    (_, i) => `ABC-${String(i).padStart(6, "0")},Plant ${i}`,
  );
  const csv = ["facility_id,name", ...rows].join("\n") + "\n";
  const upload = (first: boolean) => {
    const form = new FormData();
    if (first) form.set("_csrf", token);
    form.set("mode", "staged");
    form.set("file", new File([csv], "plants.csv", { type: "text/csv" }));
    return app.fetch("/upload/facilities", {
      method: "POST",
      body: form,
      headers: { cookie },
      redirect: "manual",
    });
  };
  const refused = await upload(false);
  assertEquals(refused.status, 403);
  await refused.body?.cancel();
  assertEquals(await snapshot(app), { runs: [], facilities: 0 });
  // The same connection goes on working after the refused body.
  const accepted = await upload(true);
  assertEquals(accepted.status, 303);
  const id = accepted.headers.get("location")!.split("/").at(-1)!;
  assertEquals(
    (await app.services.store.getRun(id))?.counts.rows,
    20_000,
    "the whole file arrived",
  );

  const api = await app.fetch("/api/v1/runs", { method: "GET", headers: { cookie } });
  assertEquals(api.status, 200, "safe methods need nothing");
  await api.body?.cancel();
  const staged = await uploadAs(app, TOKENS.ci, FACILITIES);
  const runId = (await app.json<Json>(staged)).id;
  const discard = await app.fetch(`/api/v1/runs/${runId}/discard`, {
    method: "POST",
    headers: { cookie, "x-csrf-token": token },
  });
  assertEquals(discard.status, 200);
  await discard.body?.cancel();
}, AUTH_ENV);

appTest("bearer-token calls are exempt: no browser sends that header cross-site", async (app) => {
  const res = await uploadAs(app, TOKENS.ci, FACILITIES, {
    headers: { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
  });
  assertEquals(res.status, 201);
  await res.body?.cancel();
}, AUTH_ENV);

appTest("without authentication, a cross-site POST is refused too", async (app) => {
  const res = await app.upload("facilities", FACILITIES);
  const run = await app.json<Json>(res);
  assertEquals(run.actor, null, "the local admin has no name");
  const forged = await app.fetch(`/upload/facilities`, {
    method: "POST",
    body: new URLSearchParams({ mode: "direct" }),
    headers: { origin: "http://evil.example" },
    redirect: "manual",
  });
  assertEquals(forged.status, 403);
  await forged.body?.cancel();
  assertEquals((await snapshot(app)).runs.length, 1);
});

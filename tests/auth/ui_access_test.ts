/**
 * The pages with authentication on: signed-out visitors go to /login and back, sign-in sets a
 * signed cookie (tampered ones are refused), sign-out clears it, and each role sees and does only
 * what it may.
 */
import { SessionCodec } from "../../server/auth/session_cookie.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { FACILITIES, FACILITIES_CHANGES } from "../api/fixtures.ts";
import { AUTH_ENV, signIn, snapshot, TOKENS, uploadAs } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

function get(app: TestApp, path: string, cookie?: string): Promise<Response> {
  return app.fetch(path, { headers: cookie ? { cookie } : {}, redirect: "manual" });
}

async function html(res: Response, status = 200): Promise<string> {
  assertEquals(res.status, status, res.url);
  return await res.text();
}

function uploadForm(csv: string, csrf?: string): FormData {
  const form = new FormData();
  if (csrf) form.set("_csrf", csrf);
  form.set("mode", "staged");
  form.set("file", new File([csv], "plants.csv", { type: "text/csv" }));
  return form;
}

appTest("signed out, pages send you to /login and back", async (app) => {
  const res = await get(app, "/runs?type=facilities");
  assertEquals(res.status, 303);
  assertEquals(res.headers.get("location"), "/login?next=%2Fruns%3Ftype%3Dfacilities");
  const login = await html(await get(app, "/login?next=%2Fruns%3Ftype%3Dfacilities"));
  assert(login.includes('<input type="hidden" name="next" value="/runs?type=facilities"/>'));
  assert(login.includes('name="password" type="password"'));
  // What the sign-in page itself needs stays reachable.
  assertEquals((await get(app, "/styles.css")).status, 200);

  const post = await app.fetch("/upload/facilities", {
    method: "POST",
    body: uploadForm(FACILITIES),
    redirect: "manual",
  });
  assertEquals([post.status, post.headers.get("location")], [
    303,
    "/login?next=%2Fupload%2Ffacilities",
  ]);
  assertEquals(await snapshot(app), { runs: [], facilities: 0 });
}, AUTH_ENV);

appTest("sign-in refuses a wrong password; the right one sets a cookie that works", async (app) => {
  const attempt = (name: string, password: string, headers: Record<string, string> = {}) =>
    app.fetch("/login", {
      method: "POST",
      body: new URLSearchParams({ name, password, next: "/runs" }),
      headers: { origin: app.url, ...headers },
      redirect: "manual",
    });
  for (const [name, password] of [["ulla", "ute-pw"], ["nobody", "ulla-pw"], ["ulla", ""]]) {
    const res = await attempt(name, password);
    assertEquals(res.headers.get("set-cookie"), null);
    assert((await html(res, 401)).includes("Wrong name or password"), `${name}/${password}`);
  }

  const ok = await attempt("ulla", "ulla-pw");
  assertEquals([ok.status, ok.headers.get("location")], [303, "/runs"]);
  const setCookie = ok.headers.get("set-cookie")!;
  assertMatch(
    setCookie,
    /^intake_session=[\w-]+\.[\w-]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/,
  );
  const cookie = setCookie.split(";")[0];
  const runs = await html(await get(app, "/runs", cookie));
  assert(runs.includes("ulla (uploader)"), "the header names the user");
  const api = await app.fetch("/api/v1/runs", { headers: { cookie } });
  assertEquals(api.status, 200, "the session works for the islands' API calls too");
  await api.body?.cancel();

  // Behind an https proxy the cookie is Secure; a foreign `next` is not followed.
  const https = await app.fetch("/login", {
    method: "POST",
    body: new URLSearchParams({ name: "rita", password: "rita-pw", next: "//evil.example/x" }),
    headers: { origin: app.url, "x-forwarded-proto": "https" },
    redirect: "manual",
  });
  assertEquals(https.headers.get("location"), "/");
  assertMatch(https.headers.get("set-cookie")!, /; Secure$/);
}, AUTH_ENV);

appTest("a tampered or foreign session cookie is refused", async (app) => {
  const cookie = await signIn(app, "ulla");
  const [body, sig] = cookie.slice("intake_session=".length).split(".");
  const payload = JSON.parse(atob(body.replace(/-/g, "+").replace(/_/g, "/")));
  const asAda = btoa(JSON.stringify({ ...payload, u: "ada" })).replace(/\+/g, "-")
    .replace(/\//g, "_").replace(/=+$/, "");
  const otherKey = await SessionCodec.create("another-secret-0123456789abcdefgh");
  const foreign = await otherKey.issue({ name: "ada", passwordHash: "x" });
  for (
    const bad of [
      `intake_session=${asAda}.${sig}`,
      `intake_session=${body}.${sig}x`,
      `intake_session=${foreign}`,
    ]
  ) {
    const page = await get(app, "/", bad);
    assertEquals([page.status, page.headers.get("location")], [303, "/login?next=%2F"], bad);
    const api = await app.fetch("/api/v1/runs", { headers: { cookie: bad } });
    assertEquals(api.status, 401);
    await api.body?.cancel();
  }
  assertEquals((await get(app, "/", cookie)).status, 200, "the untouched cookie still works");
}, AUTH_ENV);

appTest("sign-out clears the cookie", async (app) => {
  const cookie = await signIn(app, "rita");
  const page = await html(await get(app, "/", cookie));
  const csrf = /name="_csrf" value="([\w-]+)"/.exec(page)![1];
  const res = await app.fetch("/logout", {
    method: "POST",
    body: new URLSearchParams({ _csrf: csrf }),
    headers: { cookie },
    redirect: "manual",
  });
  assertEquals([res.status, res.headers.get("location")], [303, "/login"]);
  assertMatch(res.headers.get("set-cookie")!, /^intake_session=; Path=\/; Max-Age=0; HttpOnly/);
}, AUTH_ENV);

appTest(
  "an uploader's pages: own runs only, others' runs are not found, no review",
  async (app) => {
    const theirs = await app.json<Json>(await uploadAs(app, TOKENS.ci, FACILITIES));
    const cookie = await signIn(app, "ulla");
    const uploadPage = await html(await get(app, "/upload/facilities", cookie));
    const csrf = /name="_csrf" value="([\w-]+)"/.exec(uploadPage)![1];
    const posted = await app.fetch("/upload/facilities", {
      method: "POST",
      body: uploadForm(FACILITIES_CHANGES, csrf),
      headers: { cookie, origin: app.url },
      redirect: "manual",
    });
    assertEquals(posted.status, 303);
    const location = posted.headers.get("location")!;
    const mine = location.split("/").at(-1)!;
    assertEquals((await app.services.store.getRun(mine))?.actor, "ulla");

    const runs = await html(await get(app, "/runs", cookie));
    assert(runs.includes(`/runs/${mine}`) && !runs.includes(theirs.id), "only ulla's run listed");
    const home = await html(await get(app, "/", cookie));
    assert(!home.includes(theirs.id), "the last run shown is ulla's own");
    assert(!home.includes("export.csv"), "no export link for an uploader");
    await html(await get(app, `/runs/${theirs.id}`, cookie), 404);
    await html(await get(app, `/runs/${theirs.id}/review`, cookie), 404);

    const review = await html(await get(app, `${location}/review`, cookie));
    assert(!review.includes('value="commit"'), "no Commit button for an uploader");
    assertMatch(
      review,
      /<input type="checkbox" name="exclude" value="\d+" aria-label="[^"]+" disabled/,
    );
    const before = await snapshot(app);
    const commit = await app.fetch(`${location}/review`, {
      method: "POST",
      body: new URLSearchParams({ intent: "commit", _csrf: csrf }),
      headers: { cookie, origin: app.url },
      redirect: "manual",
    });
    assert((await html(commit, 403)).includes("may not commit, discard or change staged runs"));
    assertEquals(await snapshot(app), before);
  },
  AUTH_ENV,
);

appTest("a reviewer gets no upload form, and a 403 for posting one", async (app) => {
  const cookie = await signIn(app, "rita");
  const page = await html(await get(app, "/upload/facilities", cookie), 403);
  assert(page.includes("may not upload files") && !page.includes('type="file"'));
  const home = await html(await get(app, "/", cookie));
  assert(!home.includes('class="button" href="/upload/'), "no Upload button");
  const posted = await app.fetch("/upload/facilities", {
    method: "POST",
    body: uploadForm(FACILITIES),
    headers: { cookie, origin: app.url },
  });
  assertEquals(posted.status, 403);
  await posted.body?.cancel();
  assertEquals(await snapshot(app), { runs: [], facilities: 0 });
}, AUTH_ENV);

appTest("the upload form answers 429 with Retry-After past INTAKE_UPLOAD_RATE", async (app) => {
  const cookie = await signIn(app, "ada");
  const post = () =>
    app.fetch("/upload/facilities", {
      method: "POST",
      body: uploadForm(FACILITIES),
      headers: { cookie, origin: app.url },
      redirect: "manual",
    });
  const first = await post();
  assertEquals(first.status, 303);
  const before = await snapshot(app);
  const refused = await post();
  assertMatch(refused.headers.get("retry-after") ?? "", /^\d+$/);
  assert((await html(refused, 429)).includes("Too many uploads: at most 1 per minute"));
  assertEquals(await snapshot(app), before);
}, { ...AUTH_ENV, INTAKE_UPLOAD_RATE: "1/min" });

appTest("sign-in attempts are limited per address and name", async (app) => {
  const attempt = (password: string) =>
    app.fetch("/login", {
      method: "POST",
      body: new URLSearchParams({ name: "ada", password }),
      headers: { origin: app.url },
      redirect: "manual",
    });
  for (let i = 0; i < 10; i++) await (await attempt("guess")).body?.cancel();
  const refused = await attempt("ada-pw");
  assertEquals(refused.headers.get("set-cookie"), null, "even the right password waits");
  assertMatch(refused.headers.get("retry-after") ?? "", /^\d+$/);
  assert((await html(refused, 429)).includes("Too many sign-in attempts"));
  const other = await app.fetch("/login", {
    method: "POST",
    body: new URLSearchParams({ name: "rita", password: "rita-pw" }),
    headers: { origin: app.url },
    redirect: "manual",
  });
  assertEquals(other.status, 303, "another name is not locked out");
}, AUTH_ENV);

/**
 * Security headers on every kind of response (pages, API, static files, the island bundle, 404s,
 * redirects, refusals, the 500 page), and pages that need no inline script or style.
 */
import { createApp } from "../../server/app.ts";
import { CONTENT_SECURITY_POLICY } from "../../server/security_headers.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { FACILITIES_CHANGES } from "../api/fixtures.ts";
import { AUTH_ENV, signIn, TOKENS, uploadAs } from "./fixtures.ts";

function assertSecure(res: Response, what: string): void {
  const csp = res.headers.get("content-security-policy") ?? "";
  assertEquals(csp, CONTENT_SECURITY_POLICY, what);
  assertMatch(csp, /(^|; )script-src 'self'(;|$)/, what);
  assertMatch(csp, /(^|; )frame-ancestors 'none'(;|$)/, what);
  assert(!csp.includes("unsafe-inline") && !csp.includes("unsafe-eval"), what);
  assertEquals(res.headers.get("x-content-type-options"), "nosniff", what);
  assertEquals(res.headers.get("x-frame-options"), "DENY", what);
  assertEquals(res.headers.get("referrer-policy"), "same-origin", what);
  assertEquals(res.headers.get("strict-transport-security"), null, `${what}: plain http`);
}

async function fetchSecure(app: TestApp, path: string, init: RequestInit, status: number) {
  const res = await app.fetch(path, { redirect: "manual", ...init });
  assertEquals(res.status, status, path);
  assertSecure(res, `${init.method ?? "GET"} ${path}`);
  return await res.text();
}

/** Every `<script>` loads a file or holds JSON data; no element has a `style` attribute. */
function assertNoInlineCode(html: string, what: string): void {
  for (const [, attributes, body] of html.matchAll(/<script([^>]*)>(.*?)<\/script>/gs)) {
    const external = /\bsrc="\/_frsh\/js\//.test(attributes) && body === "";
    assert(
      external || /\btype="application\/json"/.test(attributes),
      `${what}: <script${attributes}>`,
    );
  }
  assert(!/<[^>]+\sstyle=/.test(html), `${what}: a style attribute`);
  assert(!/<style[\s>]/.test(html), `${what}: a <style> element`);
  assert(!/\son[a-z]+=/.test(html), `${what}: an inline event handler`);
}

appTest("every kind of response carries the security headers", async (app) => {
  const run = await (await uploadAs(app, TOKENS.ci, FACILITIES_CHANGES)).json();
  const cookie = await signIn(app, "ada");
  const as = { headers: { cookie } };
  for (
    const path of ["/", "/runs", `/runs/${run.id}`, `/runs/${run.id}/review`, "/upload/facilities"]
  ) {
    assertNoInlineCode(await fetchSecure(app, path, as, 200), path);
  }
  assertNoInlineCode(await fetchSecure(app, "/login", {}, 200), "/login");
  const upload = await fetchSecure(app, "/upload/facilities", as, 200);
  const boot = /<script type="module" src="([^"]+)">/.exec(upload)![1];
  await fetchSecure(app, boot, {}, 200);
  await fetchSecure(app, "/styles.css", {}, 200);
  await fetchSecure(app, "/api/v1/runs", as, 200);
  await fetchSecure(app, `/api/v1/runs/${run.id}/errors.csv`, as, 200);
  await fetchSecure(app, "/health", {}, 200);
  await fetchSecure(app, "/nope", as, 404);
  await fetchSecure(app, "/api/v1/nope", as, 404);
  await fetchSecure(app, "/runs", {}, 303);
  await fetchSecure(app, "/api/v1/runs", {}, 401);
  await fetchSecure(
    app,
    "/logout",
    { method: "POST", headers: { origin: "http://evil.example" } },
    403,
  );

  // Behind an https proxy, browsers are told to stay on https.
  const https = await app.fetch("/login", { headers: { "x-forwarded-proto": "https" } });
  assertEquals(https.headers.get("strict-transport-security"), "max-age=31536000");
  await https.body?.cancel();
}, AUTH_ENV);

appTest("the 500 page carries the security headers too", async (app) => {
  const { store } = app.services;
  const original = store.listRuns;
  const errors = console.error;
  store.listRuns = () => Promise.reject(new Error("the store broke"));
  console.error = () => {}; // the layer reports the uncaught error
  try {
    const html = await fetchSecure(app, "/", {}, 500);
    assert(html.includes("Something went wrong"));
  } finally {
    store.listRuns = original;
    console.error = errors;
  }
});

appTest("without authentication, only loopback host names are answered", async (app) => {
  // A page on another site could reach 127.0.0.1 through its own DNS name (DNS rebinding).
  const handler = await createApp(app.services);
  const rebound = await handler(new Request("http://evil.example:8000/api/v1/runs"));
  assertEquals(rebound.status, 403);
  assertSecure(rebound, "rebound host");
  assertEquals((await rebound.json()).error.type, "forbidden");
  for (const host of ["localhost:8000", "127.0.0.1:8000", "[::1]:8000"]) {
    const res = await handler(new Request(`http://${host}/api/v1/runs`));
    assertEquals(res.status, 200, host);
    await res.body?.cancel();
  }
});

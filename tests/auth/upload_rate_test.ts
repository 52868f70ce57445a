/**
 * `INTAKE_UPLOAD_RATE` is one bucket per principal whatever the credential (a user's session
 * cookie and a token of the same name share it), and inspections count like uploads.
 *
 * @module
 */
import { hashApiToken, newApiToken } from "../../server/auth/api_tokens.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { assertEquals } from "../assert.ts";
import { FACILITIES } from "../api/fixtures.ts";
import { AUTH_ENV, bearer, errorType, signIn, uploadAs } from "./fixtures.ts";

/** A token of the user `ulla` (the same name, so the same principal and `actor`). */
const ULLA_TOKEN = newApiToken();
const ENV = {
  ...AUTH_ENV,
  INTAKE_TOKENS: JSON.stringify([
    ...JSON.parse(AUTH_ENV.INTAKE_TOKENS),
    { name: "ulla", role: "uploader", tokenHash: await hashApiToken(ULLA_TOKEN) },
  ]),
  INTAKE_UPLOAD_RATE: "2/hour",
};

function uploadWithCookie(app: TestApp, cookie: string): Promise<Response> {
  const form = new FormData();
  form.set("file", new File([FACILITIES], "facilities.csv", { type: "text/csv" }));
  return app.fetch("/api/v1/uploads/facilities?mode=staged", {
    method: "POST",
    body: form,
    headers: { cookie, origin: app.url },
  });
}

function inspectAs(app: TestApp, token: string): Promise<Response> {
  const form = new FormData();
  form.set("file", new File([FACILITIES], "facilities.csv", { type: "text/csv" }));
  return app.fetch("/api/v1/upload-types/facilities/inspect", {
    method: "POST",
    body: form,
    headers: bearer(token),
  });
}

async function status(res: Promise<Response>): Promise<number> {
  const answer = await res;
  if (answer.status === 429) {
    assertEquals(await errorType(answer), "rate_limited");
  } else await answer.body?.cancel();
  return answer.status;
}

appTest("a user's token and session cookie share one upload bucket", async (app) => {
  const cookie = await signIn(app, "ulla");
  assertEquals(await status(uploadAs(app, ULLA_TOKEN, FACILITIES)), 201);
  assertEquals(await status(uploadWithCookie(app, cookie)), 201);
  // The bucket of 2 is empty, by either credential.
  assertEquals(await status(uploadWithCookie(app, cookie)), 429);
  assertEquals(await status(uploadAs(app, ULLA_TOKEN, FACILITIES)), 429);
  // Another user's bucket is their own.
  const ute = await signIn(app, "ute");
  assertEquals(await status(uploadWithCookie(app, ute)), 201);
}, ENV);

appTest("inspections take from the upload bucket", async (app) => {
  assertEquals(await status(inspectAs(app, ULLA_TOKEN)), 200);
  assertEquals(await status(inspectAs(app, ULLA_TOKEN)), 200);
  const refused = await inspectAs(app, ULLA_TOKEN);
  assertEquals(refused.status, 429);
  assertEquals(Number(refused.headers.get("retry-after")) > 0, true);
  assertEquals(await errorType(refused), "rate_limited");
  assertEquals(await status(uploadAs(app, ULLA_TOKEN, FACILITIES)), 429);
}, ENV);

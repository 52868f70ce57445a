/**
 * Users, tokens and helpers for the access tests: an app environment with authentication on,
 * signing in through the real form, and counting what a refused request must not have changed.
 *
 * @module
 */
import { sql } from "kysely";
import { hashApiToken, newApiToken } from "../../server/auth/api_tokens.ts";
import { hashPassword } from "../../server/auth/password_hash.ts";
import type { TestApp } from "../app_harness.ts";
import { assertEquals, assertMatch } from "../assert.ts";

/** Users by name: two uploaders, a reviewer and an admin (password = name + "-pw"). */
export const USERS = {
  ulla: "uploader",
  ute: "uploader",
  rita: "reviewer",
  ada: "admin",
} as const;

/** API tokens by name. */
export const TOKENS = {
  ci: newApiToken(), // uploader
  nightly: newApiToken(), // uploader
  checker: newApiToken(), // reviewer
  ops: newApiToken(), // admin
} as const;

/** The session secret of the test apps. */
export const SESSION_SECRET = "test-session-secret-0123456789abcdef";

// A cheap cost keeps sign-in fast in tests; production hashes use the default.
const users = await Promise.all(
  Object.entries(USERS).map(async ([name, role]) => ({
    name,
    role,
    passwordHash: await hashPassword(`${name}-pw`, { logN: 10 }),
  })),
);
const tokens = [
  { name: "ci", role: "uploader", tokenHash: await hashApiToken(TOKENS.ci) },
  { name: "nightly", role: "uploader", tokenHash: await hashApiToken(TOKENS.nightly) },
  { name: "checker", role: "reviewer", tokenHash: await hashApiToken(TOKENS.checker) },
  { name: "ops", role: "admin", tokenHash: await hashApiToken(TOKENS.ops) },
];

/** The environment of an app with authentication on. */
export const AUTH_ENV: Record<string, string> = {
  INTAKE_USERS: JSON.stringify(users),
  INTAKE_TOKENS: JSON.stringify(tokens),
  INTAKE_SESSION_SECRET: SESSION_SECRET,
};

/** Headers of a bearer-token request. */
export function bearer(token: string, headers: Record<string, string> = {}): HeadersInit {
  return { authorization: `Bearer ${token}`, ...headers };
}

/** Signs in through `POST /login` (same-origin, as a browser would) and returns the cookie. */
export async function signIn(app: TestApp, name: keyof typeof USERS): Promise<string> {
  const res = await app.fetch("/login", {
    method: "POST",
    body: new URLSearchParams({ name, password: `${name}-pw`, next: "/" }),
    headers: { origin: app.url },
    redirect: "manual",
  });
  assertEquals(res.status, 303, `sign-in of ${name}`);
  await res.body?.cancel();
  const cookie = res.headers.get("set-cookie") ?? "";
  assertMatch(cookie, /^intake_session=[\w-]+\.[\w-]+;/);
  return cookie.split(";")[0];
}

/** Uploads a CSV with a bearer token (multipart, like `app.upload`). */
export function uploadAs(
  app: TestApp,
  token: string,
  csv: string,
  options: { type?: string; mode?: "direct" | "staged"; headers?: Record<string, string> } = {},
): Promise<Response> {
  const form = new FormData();
  const type = options.type ?? "facilities";
  form.set("file", new File([csv], `${type}.csv`, { type: "text/csv" }));
  return app.fetch(`/api/v1/uploads/${type}?mode=${options.mode ?? "staged"}`, {
    method: "POST",
    body: form,
    headers: bearer(token, options.headers),
  });
}

/** Everything a refused request must leave alone: each run's status, and the target's rows. */
export async function snapshot(app: TestApp): Promise<{ runs: string[]; facilities: number }> {
  const runs = await sql<{ id: string; status: string }>`
    select id, status from ingest_runs order by id`.execute(app.db.kysely);
  const facilities = await sql<{ n: number }>`select count(*)::int as n from facilities`
    .execute(app.db.kysely);
  return {
    runs: runs.rows.map((r) => `${r.id} ${r.status}`),
    facilities: facilities.rows[0].n,
  };
}

/** Reads a response's JSON error type (and consumes the body). */
export async function errorType(res: Response): Promise<string> {
  const body = await res.json() as { error?: { type?: string } };
  return body.error?.type ?? `(no error: ${JSON.stringify(body)})`;
}

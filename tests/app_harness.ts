/**
 * Starts the whole app (routes, services, migrations) on a real loopback port against a test
 * database, for API tests through real HTTP.
 *
 * @module
 */
import { createHandler } from "$fresh/server.ts";
import config from "../fresh.config.ts";
import manifest from "../fresh.gen.ts";
import { databaseTargets, type TestDatabase } from "./db_harness.ts";
import { log } from "../server/log.ts";
import { installServices, openServices, type Services } from "../server/services.ts";
import { loadSettings } from "../server/settings.ts";
import { unservedRequest } from "../server/unserved_request.ts";

/** A running app and helpers to talk to it. */
export interface TestApp {
  url: string;
  services: Services;
  db: TestDatabase;
  /** `fetch` relative to the app's URL. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Uploads CSV text as a multipart form (field `file`). */
  upload(
    type: string,
    csv: string | Uint8Array<ArrayBuffer>,
    options?: { mode?: "direct" | "staged"; fileName?: string; query?: string },
  ): Promise<Response>;
  /** Reads a JSON response body. */
  json<T = Record<string, unknown>>(res: Response): Promise<T>;
}

/**
 * Starts the app on `db` with `env` as its environment, runs `fn`, then stops everything.
 * `before` runs on the database first: the app refuses to start while an upload type's table is
 * missing, so a test type's table is created there.
 */
export async function withApp(
  db: TestDatabase,
  fn: (app: TestApp) => Promise<void>,
  env: Record<string, string> = {},
  uploadTypesDir?: URL,
  before?: (db: TestDatabase) => Promise<void>,
): Promise<void> {
  await before?.(db);
  // Run lifecycle and access lines would bury test output; `env.LOG_LEVEL` brings them back.
  const settings = loadSettings((name) => env[name] ?? (name === "LOG_LEVEL" ? "warn" : undefined));
  log.setLevel(settings.logLevel);
  const services = await openServices(settings, { database: db, uploadTypesDir });
  installServices(services);
  const handler = await createHandler(manifest, config);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, onError: unservedRequest },
    handler,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  const app: TestApp = {
    url,
    services,
    db,
    fetch: (path, init) => fetch(url + path, init),
    upload(type, csv, options = {}) {
      const form = new FormData();
      form.set("file", new File([csv], options.fileName ?? `${type}.csv`, { type: "text/csv" }));
      const query = `?mode=${options.mode ?? "direct"}${options.query ?? ""}`;
      return fetch(`${url}/api/v1/uploads/${type}${query}`, { method: "POST", body: form });
    },
    async json<T>(res: Response) {
      return await res.json() as T;
    },
  };
  try {
    await fn(app);
  } finally {
    await Promise.allSettled([...services.inFlight]);
    await server.shutdown();
  }
}

/**
 * Registers one test per database target (PGlite always, PostgreSQL when `TEST_DATABASE_URL` is
 * set), each with a fresh database and a running app.
 */
export function appTest(
  name: string,
  fn: (app: TestApp) => Promise<void>,
  env: Record<string, string> = {},
  uploadTypesDir?: URL,
  before?: (db: TestDatabase) => Promise<void>,
): void {
  for (const target of databaseTargets()) {
    Deno.test({
      name: `[${target.name}] ${name}${target.ignore ? ` (skipped: ${target.reason})` : ""}`,
      ignore: target.ignore,
      sanitizeResources: false,
      sanitizeOps: false,
      async fn() {
        const db = await target.open();
        try {
          await withApp(db, fn, env, uploadTypesDir, before);
        } finally {
          await db.dispose();
        }
      },
    });
  }
}

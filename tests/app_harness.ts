/**
 * Starts the whole app (routes, services, migrations) on a real loopback port against a test
 * database, for API tests through real HTTP.
 *
 * @module
 */
import { databaseTargets, type TestDatabase } from "./db_harness.ts";
import { checkAnswer } from "./openapi_conformance.ts";
import type { JobWorkerOptions } from "../host/deno/jobs/job_worker.ts";
import { log } from "../host/deno/log.ts";
import { createApp } from "../server/app.ts";
import { openServices, type Services } from "../server/services.ts";
import { loadSettings } from "../server/settings.ts";
import { unservedRequest } from "../server/unserved_request.ts";

/** A running app and helpers to talk to it. */
export interface TestApp {
  url: string;
  services: Services;
  db: TestDatabase;
  /** `fetch` relative to the app's URL; an `/api/v1/` answer must match the OpenAPI document. */
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

/** How {@linkcode withApp} starts the app. */
export interface AppOptions {
  /** The app's environment (its settings). */
  env?: Record<string, string>;
  /** Upload types other than `config/upload_types/`. */
  uploadTypesDir?: URL;
  /**
   * Runs on the database first: the app refuses to start while an upload type's table is
   * missing, so a test type's table is created there.
   */
  before?: (db: TestDatabase) => Promise<void>;
  /** Runs a job worker in the app, with these options over the settings' (none when absent). */
  worker?: Partial<JobWorkerOptions>;
}

/** Starts the app on `db`, runs `fn`, then stops everything. */
export async function withApp(
  db: TestDatabase,
  fn: (app: TestApp) => Promise<void>,
  options: AppOptions = {},
): Promise<void> {
  const { env = {}, uploadTypesDir, before, worker } = options;
  await before?.(db);
  // Run lifecycle and access lines would bury test output; `env.LOG_LEVEL` brings them back.
  const settings = loadSettings((name) => env[name] ?? (name === "LOG_LEVEL" ? "warn" : undefined));
  log.setLevel(settings.logLevel);
  const services = await openServices(settings, { database: db, uploadTypesDir, worker });
  await services.jobs?.start();
  const handler = await createApp(services);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, onError: unservedRequest },
    handler,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  const app: TestApp = {
    url,
    services,
    db,
    fetch: async (path, init) =>
      await checkAnswer(init?.method ?? "GET", url + path, await fetch(url + path, init)),
    upload(type, csv, options = {}) {
      const form = new FormData();
      form.set("file", new File([csv], options.fileName ?? `${type}.csv`, { type: "text/csv" }));
      const query = `?mode=${options.mode ?? "direct"}${options.query ?? ""}`;
      const to = `${url}/api/v1/uploads/${type}${query}`;
      return fetch(to, { method: "POST", body: form }).then((res) => checkAnswer("POST", to, res));
    },
    async json<T>(res: Response) {
      return await res.json() as T;
    },
  };
  try {
    await fn(app);
  } finally {
    await services.jobs?.stop(0);
    await Promise.allSettled([...services.inFlight]);
    await server.shutdown();
  }
}

/**
 * Registers one test per database target (PGlite always, PostgreSQL when `TEST_DATABASE_URL` is
 * set), each with a fresh database and a running app with `env` as its environment.
 */
export function appTest(
  name: string,
  fn: (app: TestApp) => Promise<void>,
  env: Record<string, string> = {},
  uploadTypesDir?: URL,
  before?: (db: TestDatabase) => Promise<void>,
): void {
  appTestWith(name, { env, uploadTypesDir, before }, fn);
}

/** {@linkcode appTest} with a job worker running in the app (`worker` over the settings). */
export function workerAppTest(
  name: string,
  worker: Partial<JobWorkerOptions>,
  fn: (app: TestApp) => Promise<void>,
  env: Record<string, string> = {},
): void {
  appTestWith(name, { env, worker }, fn);
}

function appTestWith(
  name: string,
  options: AppOptions,
  fn: (app: TestApp) => Promise<void>,
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
          await withApp(db, fn, options);
        } finally {
          await db.dispose();
        }
      },
    });
  }
}

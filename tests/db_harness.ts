/**
 * Test databases, one fresh database per test, on every engine we support — the way Kysely's
 * own suites loop over their dialects.
 *
 * - `pglite`: a new in-memory PGlite per test. A cold `new PGlite()` runs initdb (about 1.2–4 s on
 *   a 2-core machine), so the first open dumps a freshly initialised data directory once
 *   (cached in memory and under the temp dir, keyed by the PGlite build) and every test loads
 *   that instead (about 0.3 s). Tests stay fully isolated: nothing is shared but the bytes.
 *   (A PGlite started from such a tarball can leave a timer armed after `close()`, so a plain
 *   script using this harness may need `Deno.exit()`; `deno test` is unaffected.)
 * - `postgres`: `CREATE DATABASE intake_test_<random>` on the server named by the admin URL
 *   `TEST_DATABASE_URL`, dropped `WITH (FORCE)` on dispose, so test files run in parallel. When
 *   the variable is unset the target is registered as ignored, with the reason in its name.
 *   `source .ci/pg.sh && start_pg` gives you a throwaway server and sets the variable.
 *
 * @example One test per engine
 * ```ts ignore
 * import { describeDatabases } from "./db_harness.ts";
 * import { assertEquals } from "./assert.ts";
 * import { sql } from "kysely";
 *
 * describeDatabases("SELECT 1 works", async (db) => {
 *   const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db.kysely);
 *   assertEquals(rows, [{ one: 1 }]);
 * }, { migrated: true });
 * ```
 *
 * @module
 */
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import type { Database, DatabaseKind } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { openPgliteDatabase } from "../db/pglite_database.ts";
import { openPostgresDatabase } from "../db/postgres_database.ts";

/** A database of its own for one test; `dispose()` closes it and throws it away. */
export interface TestDatabase extends Database, AsyncDisposable {
  /** Closes the connection and deletes the database (PostgreSQL) or the instance (PGlite). */
  dispose(): Promise<void>;
  /** PostgreSQL only: this test database's URL, to open a second connection to it. */
  readonly url?: string;
}

/** One engine the suites run against. */
export interface DatabaseTarget {
  name: DatabaseKind;
  /** True when the engine is not available here (see `reason`). */
  ignore: boolean;
  reason?: string;
  /** Opens a fresh, empty database. */
  open(): Promise<TestDatabase>;
  /** Opens a fresh database with every migration applied. */
  openMigrated(): Promise<TestDatabase>;
}

/** Options of {@linkcode describeDatabases}. */
export interface DescribeDatabasesOptions {
  /** Apply every migration before the test body runs. @default false */
  migrated?: boolean;
  /** Run on these engines only. @default every engine */
  only?: readonly DatabaseKind[];
}

/** The engines to test on: PGlite always, PostgreSQL when `TEST_DATABASE_URL` is set. */
export function databaseTargets(): DatabaseTarget[] {
  const adminUrl = Deno.env.get("TEST_DATABASE_URL") || undefined;
  const targets: Array<Omit<DatabaseTarget, "openMigrated">> = [
    { name: "pglite", ignore: false, open: openPgliteTestDatabase },
    adminUrl === undefined
      ? {
        name: "postgres",
        ignore: true,
        reason: "TEST_DATABASE_URL is not set",
        open: () => Promise.reject(new Error("TEST_DATABASE_URL is not set")),
      }
      : { name: "postgres", ignore: false, open: () => openPostgresTestDatabase(adminUrl) },
  ];
  return targets.map((target) => ({ ...target, openMigrated: () => migrated(target.open()) }));
}

/**
 * Registers one `Deno.test` per engine, named `[pglite] name` and `[postgres] name` (with
 * `(skipped: reason)` appended when the engine is unavailable), each getting its own database.
 */
export function describeDatabases(
  name: string,
  fn: (db: TestDatabase) => Promise<void>,
  options: DescribeDatabasesOptions = {},
): void {
  for (const target of databaseTargets()) {
    if (options.only !== undefined && !options.only.includes(target.name)) continue;
    Deno.test({
      name: target.ignore
        ? `[${target.name}] ${name} (skipped: ${target.reason})`
        : `[${target.name}] ${name}`,
      ignore: target.ignore,
      // PGlite's WebAssembly build arms a timer (setitimer) that can outlive close(): not a leak
      // of the test's own, but Deno reports it. PostgreSQL tests run fully sanitized.
      sanitizeOps: target.name !== "pglite",
      sanitizeResources: target.name !== "pglite",
      fn: async () => {
        await using db = options.migrated ? await target.openMigrated() : await target.open();
        await fn(db);
      },
    });
  }
}

/** {@linkcode describeDatabases} with every migration applied first. */
export function describeMigratedDatabases(
  name: string,
  fn: (db: TestDatabase) => Promise<void>,
  options: Omit<DescribeDatabasesOptions, "migrated"> = {},
): void {
  describeDatabases(name, fn, { ...options, migrated: true });
}

/**
 * Opens one fresh, migrated test database (PGlite unless told otherwise), for tests that need a
 * database but not every engine. Use with `await using db = await migratedDatabase();`.
 */
export function migratedDatabase(kind: DatabaseKind = "pglite"): Promise<TestDatabase> {
  const target = databaseTargets().find((t) => t.name === kind)!;
  if (target.ignore) return Promise.reject(new Error(`Cannot open ${kind}: ${target.reason}`));
  return target.openMigrated();
}

async function migrated(opening: Promise<TestDatabase>): Promise<TestDatabase> {
  const db = await opening;
  try {
    await migrateToLatest(db);
    return db;
  } catch (err) {
    await db.dispose();
    throw err;
  }
}

function asTestDatabase(
  db: Database,
  dispose: () => Promise<void>,
  url?: string,
): TestDatabase {
  let disposed: Promise<void> | undefined;
  const once = () => disposed ??= dispose();
  return {
    kind: db.kind,
    kysely: db.kysely,
    url,
    copyCsv: (table, columns, csv) => db.copyCsv(table, columns, csv),
    ...(db.beginBulk ? { beginBulk: () => db.beginBulk!() } : {}),
    ping: () => db.ping(),
    poolStats: () => db.poolStats(),
    close: () => db.close(),
    dispose: once,
    [Symbol.asyncDispose]: once,
  };
}

// ---- PGlite ----

let templateTarball: Promise<Blob> | undefined;

/**
 * A freshly initialised PGlite data directory as a tarball, for `loadDataDir`: also seeds a
 * data directory on disk without running initdb (the CLI tests do).
 */
export function pgliteTemplate(): Promise<Blob> {
  return templateTarball ??= loadPgliteTemplate();
}

async function openPgliteTestDatabase(): Promise<TestDatabase> {
  const db = await openPgliteDatabase({ loadDataDir: await pgliteTemplate() });
  return asTestDatabase(db, () => db.close());
}

/** A freshly initialised PGlite data directory, from the temp-dir cache or made now. */
async function loadPgliteTemplate(): Promise<Blob> {
  const build = import.meta.resolve("@electric-sql/pglite");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(build));
  const key = Array.from(new Uint8Array(digest).slice(0, 6), (b) => b.toString(16).padStart(2, "0"))
    .join("");
  const tmp = Deno.env.get("TMPDIR") || "/tmp";
  const path = `${tmp}/intake-pglite-template-${key}.tar`;
  try {
    return new Blob([await Deno.readFile(path)]);
  } catch {
    // Not cached yet (or unreadable): make it below.
  }
  const pglite = await PGlite.create();
  const tarball = await pglite.dumpDataDir("none");
  await pglite.close();
  // Write then rename, so a test file running in parallel never reads half a file.
  const partial = `${path}.${crypto.randomUUID()}.partial`;
  try {
    await Deno.writeFile(partial, new Uint8Array(await tarball.arrayBuffer()));
    await Deno.rename(partial, path);
  } catch {
    await Deno.remove(partial).catch(() => {});
  }
  return tarball;
}

// ---- PostgreSQL ----

/** Creates `intake_test_<random>` on the server of `adminUrl` (dropped again on dispose). */
export async function openPostgresTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `intake_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await withAdmin(
    adminUrl,
    (admin) => admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE template0`),
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let db: Database;
  try {
    db = await openPostgresDatabase({ url: url.href, poolSize: 4 });
  } catch (err) {
    await dropDatabase(adminUrl, name);
    throw err;
  }
  return asTestDatabase(db, async () => {
    try {
      await db.close();
    } finally {
      await dropDatabase(adminUrl, name);
    }
  }, url.href);
}

function dropDatabase(adminUrl: string, name: string): Promise<unknown> {
  return withAdmin(
    adminUrl,
    (admin) => admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

async function withAdmin<T>(adminUrl: string, fn: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

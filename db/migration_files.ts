/**
 * The migrations of a directory: every file named `NNNN_name.ts` (four digits, a lower-case name)
 * is one, run in name order. Reading the directory, rather than a hand-kept list, is what lets
 * `deno task migrate create-table <type>` add a migration by writing one file: a migration that
 * exists runs, and none can be forgotten in a list. Upload types are read from their directory
 * the same way (`host/deno/load_upload_types.ts`), so this needs nothing they do not.
 *
 * @example
 * ```ts
 * import { loadMigrationFiles } from "./migration_files.ts";
 * const migrations = await loadMigrationFiles(new URL("../migrations/", import.meta.url));
 * const names = Object.keys(migrations); // ["0001_ingest_runs", "0002_demo_types", …]
 * if (names[0] !== "0001_ingest_runs" || typeof migrations[names[0]].up !== "function") {
 *   throw new Error(names.join());
 * }
 * ```
 *
 * @module
 */
import type { Migration } from "kysely/migration";

/** A migration file name: number, name, `.ts`. */
export const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.ts$/;

/** A migration file that cannot be loaded; the message names the file. */
export class MigrationFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MigrationFileError";
  }
}

/** The names (without `.ts`) of the migration files in `dir`, sorted. */
export async function migrationFileNames(dir: URL): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    // Tests may sit beside the migrations; they are not migrations.
    if (entry.isFile && MIGRATION_FILE.test(entry.name) && !entry.name.endsWith("_test.ts")) {
      names.push(entry.name.slice(0, -".ts".length));
    }
  }
  return names.sort();
}

/**
 * Imports every migration file in `dir`.
 *
 * @returns Migrations by name (the file name without `.ts`); names sort in the order they run.
 * @throws {MigrationFileError} Naming the file, when one cannot be imported or lacks `up`.
 */
export async function loadMigrationFiles(dir: URL): Promise<Record<string, Migration>> {
  const base = dir.href.endsWith("/") ? dir : new URL(`${dir.href}/`);
  const migrations: Record<string, Migration> = {};
  for (const name of await migrationFileNames(base)) {
    const url = new URL(`${name}.ts`, base);
    let module: Partial<Migration>;
    try {
      module = await import(url.href);
    } catch (err) {
      throw new MigrationFileError(
        `Cannot load migration ${url.pathname}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (typeof module.up !== "function") {
      throw new MigrationFileError(
        `Invalid migration ${url.pathname}: it must export \`async function up(db)\``,
      );
    }
    migrations[name] = { up: module.up, down: module.down };
  }
  return migrations;
}

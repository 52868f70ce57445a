/**
 * `deno task migrate create-table <type>`: writes `migrations/NNNN_<type>.ts` (the next free
 * number), a migration creating the upload type's table from its config
 * (`table_migration.ts`). A migration file registers itself by being there
 * (`migration_files.ts`), so `deno task migrate up`, or a start, creates the table.
 *
 * When the table already exists, in the database or in what the migrations create, nothing is
 * written: the command says where it is and how it differs from the config
 * (`table_differences.ts`). What the migrations create is found by running them, one by one, on
 * a throwaway in-memory PGlite, so a hand-written migration counts as much as a generated one.
 *
 * Exit codes (`cli/exit_codes.ts`): 0 written, or the table exists and fits the config; 1 the
 * table exists and differs; 2 bad usage (a malformed or unknown type name); 3 the upload types'
 * config, the migrations or the database cannot be read.
 *
 * @module
 */
import type { Migration } from "kysely/migration";
import { sql } from "kysely";
import { EXIT } from "../cli/exit_codes.ts";
import type { ResolvedUploadType } from "../core/config/upload_type_schema.ts";
import { sqlType } from "../core/config/sql_types.ts";
import type { Database } from "./database.ts";
import { isIngestError } from "../core/errors.ts";
import {
  canonicalTypeNames,
  findTargetProblem,
  readTableShape,
} from "../store/postgres/target_check.ts";
import { loadUploadTypes } from "../host/deno/load_upload_types.ts";
import { migrateToLatest } from "./migrate.ts";
import { loadMigrationFiles } from "./migration_files.ts";
import { openDatabase } from "./open_database.ts";
import { openPgliteDatabase } from "./pglite_database.ts";
import { tableDifferences } from "./table_differences.ts";
import { tableMigrationSource } from "./table_migration.ts";

/** What the command reads and where it writes (tests point them at a temp directory). */
export interface CreateTableIo {
  env: (name: string) => string | undefined;
  out: (line: string) => void;
  err: (line: string) => void;
  /** The upload types' config files. */
  uploadTypesDir: URL;
  /** Where migrations are read and the new one is written. */
  migrationsDir: URL;
}

const SLUG = /^[a-z][a-z0-9_]*$/;

/** Runs `create-table` for the upload type named `typeName`; returns the exit code. */
export async function createTable(typeName: string, io: CreateTableIo): Promise<number> {
  if (!SLUG.test(typeName)) {
    io.err(
      `Invalid upload type name "${typeName}": a name is a-z, 0-9 and _, starting with a letter`,
    );
    return EXIT.usage;
  }
  let type: ResolvedUploadType;
  try {
    type = (await loadUploadTypes(io.uploadTypesDir)).get(typeName);
  } catch (err) {
    io.err(`Error: ${(err as Error).message}`);
    return isIngestError(err, "unknown_upload_type") ? EXIT.usage : EXIT.unavailable;
  }

  let migrations: Record<string, Migration>;
  let found: Found | null;
  try {
    migrations = await loadMigrationFiles(io.migrationsDir);
    const inDatabase = await findInDatabase(type, io);
    const inMigrations = await findInMigrations(type, migrations);
    // The database is what imports meet; the migrations say where it came from.
    found = inDatabase === null ? inMigrations : {
      inDatabase: true,
      migration: inMigrations?.migration,
      differences: inDatabase.differences,
    };
  } catch (err) {
    io.err(`Error: ${(err as Error).message}`);
    return EXIT.unavailable;
  }
  if (found !== null) {
    const where = !found.inDatabase
      ? `created by migrations/${found.migration}.ts, not yet applied`
      : found.migration
      ? `in the database, created by migrations/${found.migration}.ts`
      : "in the database, created by no migration";
    io.out(`Table "${type.table}" of upload type "${type.name}" already exists (${where}).`);
    io.out("No migration written.");
    if (found.differences.length === 0) {
      io.out("It fits the config.");
      return EXIT.ok;
    }
    io.out(`It differs from the config (${type.source}):`);
    for (const difference of found.differences) io.out(`  - ${difference}`);
    io.out("Change the table in a new migration under migrations/, or the config.");
    return EXIT.rejected;
  }

  const names = Object.keys(migrations);
  const last = names.length === 0 ? 0 : Number(names.at(-1)!.slice(0, 4));
  const name = `${String(last + 1).padStart(4, "0")}_${type.name}`;
  const file = new URL(`${name}.ts`, dirUrl(io.migrationsDir));
  try {
    // createNew: two commands at once must not overwrite each other's file.
    await Deno.writeTextFile(file, tableMigrationSource(type), { createNew: true });
  } catch (err) {
    io.err(`Error: cannot write ${file.pathname}: ${(err as Error).message}`);
    return EXIT.unavailable;
  }
  await formatFile(file);
  io.out(
    `Wrote migrations/${name}.ts: creates table "${type.table}" of upload type "${type.name}".`,
  );
  io.out("Apply it with `deno task migrate up` (a start of the server or the CLI also does).");
  return EXIT.ok;
}

/** Where an existing table was found and how it differs from the config. */
interface Found {
  inDatabase: boolean;
  /** The migration that creates it, when one does. */
  migration?: string;
  differences: string[];
}

/** The table as the database has it now, or null when it has none. */
async function findInDatabase(type: ResolvedUploadType, io: CreateTableIo): Promise<Found | null> {
  const url = io.env("DATABASE_URL") || undefined;
  const dataDir = io.env("INTAKE_DATA_DIR") || ".data/";
  // A PGlite directory that is not there holds no table; opening it would create it.
  if (url === undefined && !await exists(dataDir)) return null;
  let db: Database | undefined;
  try {
    db = await openDatabase(url === undefined ? { dataDir } : { url, poolSize: 1 });
    const differences = await differencesIn(db, type);
    return differences === null ? null : { inDatabase: true, differences };
  } finally {
    await db?.close();
  }
}

/** The table as the migrations create it on an empty database, or null when none does. */
async function findInMigrations(
  type: ResolvedUploadType,
  migrations: Record<string, Migration>,
): Promise<Found | null> {
  const scratch = await openPgliteDatabase({});
  try {
    const names = Object.keys(migrations);
    let creator: string | undefined;
    // One at a time, to name the migration that creates the table; the rest may change it.
    for (let i = 0; i < names.length; i++) {
      const subset = Object.fromEntries(names.slice(0, i + 1).map((n) => [n, migrations[n]]));
      try {
        await migrateToLatest(scratch, { migrations: subset });
      } catch (err) {
        throw new Error(
          `cannot tell whether a migration creates table "${type.table}": on a scratch ` +
            `database, ${(err as Error).message}`,
          { cause: err },
        );
      }
      if (creator === undefined && await tableExists(scratch, type.table)) creator = names[i];
    }
    if (creator === undefined) return null;
    const differences = await differencesIn(scratch, type);
    return { inDatabase: false, migration: creator, differences: differences ?? [] };
  } finally {
    await scratch.close();
  }
}

/** How the table in `db` differs from the config; null when `db` has no such table. */
async function differencesIn(db: Database, type: ResolvedUploadType): Promise<string[] | null> {
  const problem = await findTargetProblem(db.kysely, type);
  if (problem?.missingTable) return null;
  const shape = await readTableShape(db.kysely, type.table);
  if (shape === null) return null;
  const expected = await canonicalTypeNames(db.kysely, type.columns.map((c) => sqlType(c)));
  return tableDifferences(type, problem, shape, expected);
}

async function tableExists(db: Database, table: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select to_regclass(${table}) is not null as found`
    .execute(db.kysely);
  return rows[0].found;
}

/** Formats the written file as `deno fmt` would, when this runs under the Deno CLI. */
async function formatFile(file: URL): Promise<void> {
  try {
    await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", file.pathname],
      stdout: "null",
      stderr: "null",
    }).output();
  } catch {
    // The file is valid TypeScript either way; formatting only tidies it.
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

function dirUrl(dir: URL): URL {
  return dir.href.endsWith("/") ? dir : new URL(`${dir.href}/`);
}

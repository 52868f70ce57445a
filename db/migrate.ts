/**
 * Schema migrations with Kysely's `Migrator` over the migration files in `migrations/`
 * (`migrations/mod.ts`).
 *
 * Each run holds Kysely's migration lock (a PostgreSQL advisory lock; PGlite's single connection
 * is a lock by itself), so two instances starting against one database do not both migrate: the
 * second waits, then finds nothing left to do. A run is all or nothing: the pending migrations
 * run in one transaction, so when one fails none of that run's migrations stay applied.
 *
 * @example
 * ```ts
 * import { openDatabase } from "./open_database.ts";
 * import { migrateToLatest, migrationStatus } from "./migrate.ts";
 *
 * const db = await openDatabase({});
 * try {
 *   const ran = await migrateToLatest(db);
 *   if (ran[0] !== "0001_ingest_runs") throw new Error(ran.join());
 *   const pending = (await migrationStatus(db)).filter((m) => m.executedAt === null);
 *   if (pending.length > 0) throw new Error("pending after migrating");
 *   if ((await migrateToLatest(db)).length > 0) throw new Error("ran twice");
 * } finally {
 *   await db.close();
 * }
 * ```
 *
 * @module
 */
import { type Migration, type MigrationResultSet, Migrator, NO_MIGRATIONS } from "kysely/migration";
import type { Database } from "./database.ts";
import { migrations as allMigrations } from "../migrations/mod.ts";

/** A migration that failed, named so the operator knows which file to look at. */
export class MigrationError extends Error {
  /** The failing migration's name, or null when the migrator failed before running any. */
  readonly migrationName: string | null;

  constructor(message: string, migrationName: string | null, options?: ErrorOptions) {
    super(message, options);
    this.name = "MigrationError";
    this.migrationName = migrationName;
  }
}

/** One known migration and when it ran (null: pending). */
export interface MigrationState {
  name: string;
  executedAt: Date | null;
}

/** Which migrations to use; tests pass their own set. */
export interface MigrateOptions {
  migrations?: Record<string, Migration>;
}

function migratorFor(db: Database, options: MigrateOptions): Migrator {
  const migrations = options.migrations ?? allMigrations;
  return new Migrator({
    db: db.kysely,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
}

/** Throws a {@linkcode MigrationError} naming the failing migration; else returns the names run. */
function namesOrThrow(resultSet: MigrationResultSet, direction: "up" | "down"): string[] {
  const { error, results = [] } = resultSet;
  if (error !== undefined) {
    const failed = results.find((r) => r.status === "Error")?.migrationName ?? null;
    const reason = error instanceof Error ? error.message : String(error);
    const message = failed === null
      ? `Cannot migrate ${direction}: ${reason}`
      : `Migration "${failed}" failed (${direction}): ${reason}`;
    throw new MigrationError(message, failed, { cause: error });
  }
  return results.filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Runs every pending migration in order; returns the names it ran (empty when up to date). */
export async function migrateToLatest(
  db: Database,
  options: MigrateOptions = {},
): Promise<string[]> {
  return namesOrThrow(await migratorFor(db, options).migrateToLatest(), "up");
}

/**
 * Undoes the last `steps` migrations (`"all"`: every one); returns the names undone, latest first.
 */
export async function migrateDown(
  db: Database,
  steps: number | "all" = 1,
  options: MigrateOptions = {},
): Promise<string[]> {
  const migrator = migratorFor(db, options);
  if (steps === "all") return namesOrThrow(await migrator.migrateTo(NO_MIGRATIONS), "down");
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`Cannot migrate down ${steps} steps: expected a whole number >= 0`);
  }
  const undone: string[] = [];
  for (let i = 0; i < steps; i++) {
    const names = namesOrThrow(await migrator.migrateDown(), "down");
    if (names.length === 0) break;
    undone.push(...names);
  }
  return undone;
}

/** Lists every known migration in order with when it ran (null: pending). */
export async function migrationStatus(
  db: Database,
  options: MigrateOptions = {},
): Promise<MigrationState[]> {
  const infos = await migratorFor(db, options).getMigrations();
  return infos.map((info) => ({ name: info.name, executedAt: info.executedAt ?? null }));
}

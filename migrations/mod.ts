/**
 * Every migration: each `NNNN_name.ts` file in this directory, in name order
 * (`db/migration_files.ts`). A new file here is registered by being here; `deno task migrate
 * create-table <type>` writes one from an upload type's config.
 *
 * @module
 */
import type { Migration } from "kysely/migration";
import { loadMigrationFiles } from "../db/migration_files.ts";

/** Migrations by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = await loadMigrationFiles(
  new URL("./", import.meta.url),
);

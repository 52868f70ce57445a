/**
 * The table of the test upload type `sites` (`tests/fixtures/upload_types/sites.ts`), created
 * before the app starts: the app refuses to start while a type's table is missing.
 *
 * @module
 */
import { sql } from "kysely";
import type { Database } from "../db/database.ts";

/** Creates `test_sites (code text primary key, staff bigint)`. */
export async function createSitesTable(db: Database): Promise<void> {
  await sql`create table test_sites (code text primary key, staff bigint)`.execute(db.kysely);
}

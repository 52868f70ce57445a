/**
 * Opens the PGlite data directory given as the first argument from a second process, lists its
 * tables and exits: 0 when it could open it, 1 with `type: message` on stderr when not.
 *
 * @module
 */
import { sql } from "kysely";
import { toIngestError } from "../../core/errors.ts";
import { openPgliteDatabase } from "../pglite_database.ts";

try {
  const db = await openPgliteDatabase({ dataDir: Deno.args[0] });
  const { rows } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' ORDER BY 1`.execute(db.kysely);
  await db.close();
  console.log(`tables: ${rows.map((r) => r.name).join(", ")}`);
  Deno.exit(0);
} catch (err) {
  const error = toIngestError(err);
  console.error(`${error.type}: ${error.message}`);
  Deno.exit(1);
}

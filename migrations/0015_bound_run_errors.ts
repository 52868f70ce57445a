/**
 * Errors are bounded since issue 25 (`core/error_bounds.ts`); a run record written before could
 * hold a huge one (a 30 MB header quoted three times made a 94 MB `ingest_runs.error`), which
 * PostgreSQL then decompresses whenever the run is listed (about a second each time). This
 * rewrites each such record once as run reads show it: its type and the start of its message.
 *
 * @module
 */
import { type Kysely, sql } from "kysely";
import { BOUNDED_STORED_ERROR } from "../store/postgres/runs.ts";

/** Rewrites stored errors over the read bound (their stored size, found without reading them). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update ingest_runs set error = ${BOUNDED_STORED_ERROR}
    where error is not null and pg_column_size(error) > 16384`.execute(db);
}

/** Nothing to undo: what was cut is gone, and the records read the same either way. */
export async function down(): Promise<void> {}

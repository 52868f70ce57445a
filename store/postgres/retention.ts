/**
 * Retention of committed runs' rows: a reviewed run keeps its staged rows after its commit (the
 * applied rows with their diffs, the rows left out, the rows a replace deleted) as the record of
 * what it applied. Past the operator's retention they are dropped, and the run says when
 * (`rows_purged_at`); its counts, its undo log and its invalid rows (the error report) stay.
 *
 * @module
 */
import { sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import { dropStagingTable } from "./stage_tables.ts";

type Db = IntakeDb;

/**
 * Drops the kept rows of runs committed (or reverted) more than `retentionMs` ago; returns the
 * ids of the runs it purged. Each run is purged in its own transaction, so a long purge holds
 * no lock for long.
 */
export async function purgeCommittedRows(db: Db, retentionMs: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    select id from ingest_runs
    where status in ('committed', 'reverted') and mode = 'staged' and rows_purged_at is null
      and finished_at < now() - make_interval(secs => ${retentionMs / 1000})
    order by finished_at
  `.execute(db);
  const purged: string[] = [];
  for (const { id } of rows) {
    await db.transaction().execute(async (trx) => {
      const marked = await sql`
        update ingest_runs set rows_purged_at = clock_timestamp(), updated_at = now()
        where id = ${id} and rows_purged_at is null
      `.execute(trx);
      if (Number(marked.numAffectedRows ?? 0) === 0) return;
      await dropStagingTable(trx, id);
      await sql`delete from ingest_rows where run_id = ${id} and action <> 'invalid'`.execute(trx);
      purged.push(id);
    });
  }
  return purged;
}

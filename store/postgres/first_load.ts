/**
 * The first load of a table: a direct import into an empty target writes its rows straight into
 * the target with COPY, beside the parse, in one transaction, where an import otherwise stages
 * every row and then copies it to the target (measured: the target write alone takes as long as
 * `psql \copy` of the file, after the staging, with the other core idle).
 *
 * It is taken only when it can end exactly as the staged path would, and so gives up
 * (`openFirstLoad` returns null) unless:
 * - the driver has bulk transactions (PostgreSQL; not PGlite's single connection);
 * - the table's commit lock is free (no other commit or first load of it is under way): the load
 *   holds it until it ends, and waiting for it would leave the upload unread meanwhile;
 * - the target is empty, so every row is new and there is nothing to compare with or undo but
 *   the inserts, which revert finds by their transaction (`undo_log.ts`);
 * - a unique index covers exactly the key, so a key the file repeats fails the COPY.
 *
 * Rows the database alone can judge are checked before the commit: a repeated key fails the COPY
 * (`unique_violation`), an unknown reference is counted after the last row. Either way the
 * caller rolls back and imports the file the usual way, which tells the rows apart.
 *
 * @module
 */
import { sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import type { BulkTransaction, Database } from "../../db/database.ts";
import { emptyCounts, type Run } from "../../core/runs/run.ts";
import type { FirstLoad, FirstLoadGiveUp, StagedRow, TargetTable } from "../../core/ports.ts";
import { isDataError } from "./database_errors.ts";
import { CopyBuffer } from "./copy_buffer.ts";
import { commitLockKey } from "./sql_fragments.ts";
import { targetLine } from "./staging_csv.ts";
import { isUnknownReference } from "./unknown_references.ts";
import { updateRunIf } from "./runs.ts";

type Db = IntakeDb;

/** Starts the first load of `target` with `columns`, or returns null when it does not qualify. */
export async function openFirstLoad(
  db: Database,
  target: TargetTable,
  columns: readonly string[],
): Promise<FirstLoad | null> {
  if (!db.beginBulk || !await hasUniqueKey(db.kysely, target)) return null;
  const bulk = await db.beginBulk();
  try {
    const { rows } = await sql<{ locked: boolean; occupied: boolean }>`
      select pg_try_advisory_xact_lock(hashtext(${commitLockKey(target.table)})) as locked,
        exists (select 1 from ${sql.table(target.table)}) as occupied
    `.execute(bulk.kysely);
    if (rows[0].locked && !rows[0].occupied) return new TargetCopy(bulk, target, columns);
  } catch (err) {
    await bulk.rollback();
    throw err;
  }
  await bulk.rollback();
  return null;
}

/** True when a unique index (or primary key) of the target covers exactly its key columns. */
async function hasUniqueKey(db: Db, target: TargetTable): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (
      select 1 from pg_index i
      where i.indrelid = to_regclass(${target.table}) and i.indisunique and i.indpred is null
        and i.indexprs is null
        and (select array_agg(a.attname::text order by a.attname::text) from pg_attribute a
             where a.attrelid = i.indrelid and a.attnum = any(i.indkey))
          = (select array_agg(k order by k)
             from unnest(array[${sql.join(target.key)}]::text[]) k)
    ) as found
  `.execute(db);
  return rows[0].found;
}

class TargetCopy implements FirstLoad {
  readonly #bulk: BulkTransaction;
  readonly target: TargetTable;
  readonly #columns: readonly string[];
  readonly #lines = new CopyBuffer();
  #rows = 0;

  constructor(bulk: BulkTransaction, target: TargetTable, columns: readonly string[]) {
    this.#bulk = bulk;
    this.target = target;
    this.#columns = columns;
  }

  add(row: StagedRow): void {
    if (row.errors !== null) throw new TypeError("A first load takes valid rows only");
    this.#lines.add(targetLine(this.#columns, row.values));
  }

  get pending(): number {
    return this.#lines.count;
  }

  async flush(): Promise<{ gaveUp: FirstLoadGiveUp } | void> {
    const count = this.#lines.count;
    if (count === 0) return;
    try {
      await this.#bulk.copyCsv(this.target.table, this.#columns, this.#lines.take());
    } catch (err) {
      // The database refused a row (a repeated key, a value out of its range): the usual path
      // finds which. Anything else (a lost connection) fails the run.
      if (isDataError(err)) return { gaveUp: "database_refused_row" };
      throw err;
    }
    this.#rows += count;
  }

  async countUnknownReferences(): Promise<number> {
    const checks = (this.target.references ?? [])
      .filter((r) => this.#columns.includes(r.column));
    if (checks.length === 0) return 0;
    // The target has no statistics yet (its rows are this transaction's): a nested loop over
    // a million rows would take minutes where a hash anti-join takes a fraction of a second.
    await sql`select set_config('enable_nestloop', 'off', true)`.execute(this.#bulk.kysely);
    const unknown = checks.map((r) => isUnknownReference(r, sql.ref(`t.${r.column}`)));
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.table(this.target.table)} t
      where ${sql.join(unknown, sql` or `)}
    `.execute(this.#bulk.kysely);
    return Number(rows[0].n);
  }

  async commit(runId: string): Promise<Run> {
    try {
      const run = await updateRunIf(this.#bulk.kysely, runId, ["processing"], {
        status: "committed",
        finishedAt: true,
        counts: { ...emptyCounts(), rows: this.#rows, new: this.#rows },
        undoRows: 0,
        inserted: this.#rows,
      });
      await this.#bulk.commit();
      return run;
    } catch (err) {
      await this.#bulk.rollback();
      throw err;
    }
  }

  abandon(): Promise<void> {
    return this.#bulk.rollback();
  }
}

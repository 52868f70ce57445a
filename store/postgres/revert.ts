/**
 * Revert of a committed run from its undo log (`undo_log.ts`), in the caller's transaction under
 * the table's commit lock: refused with `revert_conflict` when any row the run wrote is no longer
 * as the run left it (a row it inserted or changed differs or is gone, a row it deleted is back);
 * otherwise the rows it changed get their values back, the rows it inserted are deleted and the
 * rows it deleted are inserted again, each in one statement.
 *
 * @module
 */
import { type RawBuilder, sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import { sqlType } from "../../core/config/sql_types.ts";
import { IngestError } from "../../core/errors.ts";
import type { RevertCounts, TargetColumn, TargetTable } from "../../core/ports.ts";
import { idList, targetScanGuard } from "./sql_fragments.ts";
import { keyColumns, rowHash, undoColumns, xminOf } from "./undo.ts";

type Db = IntakeDb;

/** How many conflicting keys a `revert_conflict` lists. */
const SAMPLE = 20;

/**
 * How old (in transactions) the commit of a run that inserted rows may be: `xmin` holds 32 bits,
 * so only the last 2³¹ transactions can be told apart; a margin is kept below that.
 */
const MAX_AGE = 2 ** 31 - 2 ** 24;

/** Element `i` of the jsonb array `u.<field>`, as `column`'s SQL type. */
function element(field: "key" | "before", i: number, column: TargetColumn): RawBuilder<unknown> {
  return sql`(${sql.ref(`u.${field}`)} ->> ${sql.lit(i)})::${sql.raw(sqlType(column))}`;
}

/** `t.k1 = (u.key ->> 0)::type AND …`: the target row of an undo row. */
function keyOf(target: TargetTable): RawBuilder<unknown> {
  return sql.join(
    keyColumns(target).map((c, i) => sql`${sql.ref(`t.${c.name}`)} = ${element("key", i, c)}`),
    sql` and `,
  );
}

/** What a run recorded about its commit in `ingest_runs`. */
interface CommitMarks {
  /** Undo rows it recorded; null for a run committed before undo logs were kept. */
  undoRows: number | null;
  /** The transaction that inserted its rows (full 64-bit id) and how many; 0 for none. */
  insertedXact: bigint;
  insertedRows: number;
  /** The `xmin` of the rows it inserted: the low 32 bits of `insertedXact`. */
  insertedXmin: number;
  /** The current transaction's full id. */
  currentXact: bigint;
}

async function commitMarks(trx: Db, runId: string): Promise<CommitMarks> {
  const { rows } = await sql<Record<string, string | number | null>>`
    select undo_rows, inserted_xact, inserted_rows,
      pg_current_xact_id()::text::bigint as current_xact
    from ingest_runs where id = ${runId}
  `.execute(trx);
  const r = rows[0];
  const insertedXact = BigInt(r.inserted_xact ?? 0);
  return {
    undoRows: r.undo_rows === null ? null : Number(r.undo_rows),
    insertedXact,
    insertedXmin: Number(insertedXact % 2n ** 32n),
    insertedRows: Number(r.inserted_rows ?? 0),
    currentXact: BigInt(r.current_xact!),
  };
}

/**
 * Reverts run `runId` on `target`. The caller holds the table's commit lock.
 *
 * @throws {IngestError} `conflict` for a run committed before undo logs were kept;
 * `revert_conflict` with `details.keys` (up to 20 keys, as objects; rows the run inserted are
 * counted but cannot be named) and `details.conflicts` (how many rows differ) when rows changed
 * since the run; nothing is written.
 */
export async function revertRun(
  trx: Db,
  runId: string,
  target: TargetTable,
): Promise<RevertCounts> {
  const marks = await commitMarks(trx, runId);
  if (marks.undoRows === null) {
    throw new IngestError(
      "conflict",
      `Run "${runId}" was committed before Intake kept undo logs: it cannot be reverted`,
      { runId, status: "committed" },
    );
  }
  const t = sql.table(target.table);
  const xmin = sql.lit(marks.insertedXmin);
  const keys = await conflictingKeys(trx, runId, target);
  const missing = marks.insertedRows > 0 ? await missingInserts(trx, runId, target, marks) : 0;
  if (keys.length > 0 || missing > 0) {
    const n = (keys.length > 0 ? Number(keys[0].n) : 0) + missing;
    const sample = keys.map((r) => {
      const values = (typeof r.key === "string" ? JSON.parse(r.key) : r.key) as unknown[];
      return Object.fromEntries(target.key.map((k, i) => [k, values[i]]));
    });
    const example = sample.length > 0
      ? `, e.g. ${JSON.stringify(sample[0])}`
      : ` (${missing} of the rows it inserted)`;
    throw new IngestError(
      "revert_conflict",
      `Cannot revert the run: ${n} row(s) it wrote changed since${example}; nothing was reverted`,
      { runId, conflicts: n, keys: sample },
    );
  }

  // Restored first: a restored row gets a new version (and xmin), so afterwards the only rows
  // still carrying the run's xmin are the ones it inserted.
  const columns = undoColumns(target);
  let restored = 0;
  if (columns.length > 0) {
    const result = await sql`
      update ${t} t set ${
      sql.join(columns.map((c, i) => sql`${sql.id(c.name)} = ${element("before", i, c)}`))
    }
      from ingest_undo u
      where u.run_id = ${runId} and u.before is not null and u.after is not null
        and ${keyOf(target)}
    `.execute(trx);
    restored = Number(result.numAffectedRows ?? 0);
  }
  let deleted = 0;
  if (marks.insertedRows > 0) {
    await targetScanGuard(false).execute(trx);
    const result = await sql`delete from ${t} t where ${xminOf("t")} = ${xmin}`.execute(trx);
    deleted = Number(result.numAffectedRows ?? 0);
  }
  await targetScanGuard(true).execute(trx);
  const explicit = await sql`
    delete from ${t} t using ingest_undo u
    where u.run_id = ${runId} and u.before is null and ${keyOf(target)}
  `.execute(trx);
  deleted += Number(explicit.numAffectedRows ?? 0);
  const values = [
    ...keyColumns(target).map((c, i) => element("key", i, c)),
    ...columns.map((c, i) => element("before", i, c)),
  ];
  const reinserted = await sql`
    insert into ${t} (${idList([...target.key, ...columns.map((c) => c.name)])})
    select ${sql.join(values)} from ingest_undo u
    where u.run_id = ${runId} and u.after is null
  `.execute(trx);
  await handBack(trx, runId, target, marks.currentXact);
  await sql`delete from ingest_undo where run_id = ${runId}`.execute(trx);
  return {
    deleted,
    restored,
    reinserted: Number(reinserted.numAffectedRows ?? 0),
  };
}

/** Up to {@linkcode SAMPLE} undo rows of the run whose target row is not as the run left it. */
async function conflictingKeys(trx: Db, runId: string, target: TargetTable) {
  await targetScanGuard(true).execute(trx);
  const found = sql.ref(`t.${target.key[0]}`);
  const { rows } = await sql<{ key: unknown; n: number }>`
    select u.key, count(*) over ()::int as n
    from ingest_undo u left join ${sql.table(target.table)} t on ${keyOf(target)}
    where u.run_id = ${runId}
      and (case when ${found} is null then null else ${rowHash(target, "t")} end)
        is distinct from u.after
    limit ${SAMPLE}
  `.execute(trx);
  return rows;
}

/**
 * How many of the rows the run inserted are gone or changed: those it inserted, less the ones
 * still carrying its xmin (but for rows it updated, which carry it too) and the ones a later
 * revert handed back to it as undo rows (checked by hash with the others).
 */
async function missingInserts(
  trx: Db,
  runId: string,
  target: TargetTable,
  marks: CommitMarks,
): Promise<number> {
  if (marks.currentXact - marks.insertedXact > MAX_AGE) return marks.insertedRows;
  const xmin = sql.lit(marks.insertedXmin);
  const t = sql.table(target.table);
  // The whole target is read once (no index has xmin), so without the guard.
  await targetScanGuard(false).execute(trx);
  const carrying = await sql<{ n: string | number }>`
    select count(*) as n from ${t} t where ${xminOf("t")} = ${xmin}
  `.execute(trx);
  await targetScanGuard(true).execute(trx);
  const other = await sql<{ updated: string | number; handed: string | number }>`
    select count(*) filter (where u.before is not null and ${xminOf("t")} = ${xmin}) as updated,
      count(*) filter (where u.before is null) as handed
    from ingest_undo u left join ${t} t on ${keyOf(target)}
    where u.run_id = ${runId}
  `.execute(trx);
  const inserted = Number(carrying.rows[0].n) - Number(other.rows[0].updated);
  return Math.max(0, marks.insertedRows - inserted - Number(other.rows[0].handed));
}

/**
 * Gives every committed run that had inserted a row this revert put back (the row's
 * `before_xmin` is that run's transaction) an undo row for it: the row now carries this
 * transaction's xmin, so that run could no longer recognise it by its own.
 */
async function handBack(
  trx: Db,
  runId: string,
  target: TargetTable,
  currentXact: bigint,
): Promise<void> {
  await sql`
    insert into ingest_undo (run_id, key, before, after)
    select r.id, u.key, null, ${rowHash(target, "t")}
    from ingest_undo u
    join ingest_runs r on r.inserted_rows > 0 and r.status = 'committed'
      and r.inserted_xact > ${String(currentXact - BigInt(MAX_AGE))}::bigint
      and r.inserted_xact % 4294967296 = u.before_xmin
    join ${sql.table(target.table)} t on ${keyOf(target)}
    where u.run_id = ${runId} and u.before is not null
      and not exists (select 1 from ingest_undo o where o.run_id = r.id and o.key = u.key)
  `.execute(trx);
}

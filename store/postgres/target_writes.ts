/**
 * The two writes every commit makes from a run's typed staging table, shared by the reviewed
 * commit (`commit.ts`) and the direct import (`direct_import.ts`), which differ only in which
 * staged rows they pick: an `UPDATE … FROM` of changed rows that records their undo rows, and an
 * `INSERT … SELECT` of new rows that records none (`undo_log.ts` says how a revert finds them).
 *
 * @module
 */
import { type RawBuilder, sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import type { TargetTable } from "../../core/ports.ts";
import { idList } from "./sql_fragments.ts";
import { keyMatch, type StagedColumn, typedValue } from "./staged_values.ts";
import { stagingTable } from "./stage_tables.ts";
import { undoReturning, writeWithUndo } from "./undo.ts";

type Db = IntakeDb;

/**
 * Sets the non-key `columns` of each target row from the staged row `s` of run `runId` with its
 * key that `where` picks (a condition on `s` and the target row `t`); records the undo rows and
 * returns how many rows it updated.
 */
export function updateFromStaging(
  trx: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
  where: RawBuilder<unknown>,
): Promise<number> {
  const t = sql.table(target.table);
  const compared = columns.filter((c) => !target.key.includes(c.name));
  // `o` is the row as it was (the statement's snapshot), for the undo log.
  return writeWithUndo(
    trx,
    runId,
    sql`
    update ${t} t set ${
      sql.join(compared.map((c) => sql`${sql.id(c.name)} = ${typedValue(c, "s")}`))
    }
    from ${sql.table(stagingTable(runId))} s join ${t} o on ${keyMatch(target, "o", "s")}
    where ${keyMatch(target, "t", "s")} and ${where}
    returning ${undoReturning(target, { key: "t", before: "o", after: "t" })}
  `,
  );
}

/** Inserts the staged rows of run `runId` that `where` picks (a condition on `s`); returns how many. */
export async function insertFromStaging(
  trx: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
  where: RawBuilder<unknown>,
): Promise<number> {
  const result = await sql`
    insert into ${sql.table(target.table)} (${idList(columns.map((c) => c.name))})
    select ${sql.join(columns.map((c) => typedValue(c, "s")))}
    from ${sql.table(stagingTable(runId))} s
    where ${where}
  `.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

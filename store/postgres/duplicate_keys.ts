/**
 * Duplicate keys inside one file, found set-based among the rows staging marked as possible
 * repeats (`key_filter.ts`): every later occurrence of a key moves from
 * the run's staging table to `ingest_rows` as an invalid row (`duplicate_key`, with `firstRow`
 * pointing at the first occurrence), taking its values and its raw cells (rebuilt when the
 * staging kept none) for the review and the error report.
 *
 * @module
 */
import { type RawBuilder, sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import type { TargetTable } from "../../core/ports.ts";
import { idList, intArray } from "./sql_fragments.ts";
import { rawCells, type StagedColumn, textValue, valuesObject } from "./staged_values.ts";
import { STAGE, stagingTable } from "./stage_tables.ts";

type Db = IntakeDb;

/** Moves the later occurrences of each key to `ingest_rows`; returns how many it moved. */
export async function markDuplicateKeys(
  db: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
): Promise<number> {
  const table = sql.table(stagingTable(runId));
  const keysEqual = (other: string) =>
    sql.join(
      target.key.map((k) => sql`${sql.ref(`s.${k}`)} = ${sql.ref(`${other}.${k}`)}`),
      sql` and `,
    );
  const result = await sql`
    with c as (
      select distinct ${idList(target.key)} from ${table} where ${sql.ref(STAGE.repeat)}
    ), d as (
      select ${idList(target.key, "s")}, min(${sql.ref(`s.${STAGE.row}`)}) as first
      from ${table} s join c on ${keysEqual("c")}
      group by ${idList(target.key, "s")} having count(*) > 1
    ), m as (
      delete from ${table} s using d
      where ${keysEqual("d")} and ${sql.ref(`s.${STAGE.row}`)} <> d.first
      returning s.*, d.first as ${sql.id("$first")}
    )
    ${insertDuplicates(runId, target, columns)}
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * `insert into ingest_rows … from m`: records each row of the CTE `m` (staged rows of the run,
 * each with `$first`, the row number whose key it repeats) as an invalid `duplicate_key` row.
 */
export function insertDuplicates(
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
): RawBuilder<unknown> {
  const firstKey = columns.find((c) => c.name === target.key[0])!;
  return sql`
    insert into ingest_rows (run_id, row_number, line, action, values, raw, errors)
    select ${runId}::uuid, ${sql.ref(`m.${STAGE.row}`)}, ${sql.ref(`m.${STAGE.line}`)}, 'invalid',
      ${valuesObject(columns, "m")},
      coalesce(${sql.ref(`m.${STAGE.raw}`)}::jsonb, ${rawCells(columns, "m")}),
      jsonb_build_array(jsonb_build_object(
        'column', ${firstKey.name}::text,
        'code', 'duplicate_key',
        'message', format('Duplicate key (%s): row %s has the same key',
          ${target.key.join(", ")}::text, ${sql.ref("m.$first")}),
        'value', ${textValue(firstKey, "m")},
        'firstRow', ${sql.ref("m.$first")}))
    from m
  `;
}

/**
 * Sends a row of `rowNumbers` (rows just added to the staging table: fixed, or back for a
 * refresh) to `ingest_rows` as `duplicate_key` when another staged row has its key: a row that
 * was staged already, or one of them before it.
 */
export async function markRepeatedKeys(
  db: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
  rowNumbers: readonly number[],
): Promise<void> {
  const table = sql.table(stagingTable(runId));
  if (!columns.some((c) => c.name === target.key[0])) return;
  const keysEqual: RawBuilder<unknown> = sql.join(
    target.key.map((k) => sql`${sql.ref(`o.${k}`)} = ${sql.ref(`f.${k}`)}`),
    sql` and `,
  );
  const fixed = intArray(rowNumbers);
  const row = (alias: string) => sql.ref(`${alias}.${STAGE.row}`);
  await sql`
    with d as (
      select ${row("f")} as row, min(${row("o")}) as first
      from ${table} f join ${table} o on ${keysEqual}
      where ${row("f")} in ${fixed} and ${row("o")} <> ${row("f")}
        and (${row("o")} not in ${fixed} or ${row("o")} < ${row("f")})
      group by ${row("f")}
    ), m as (
      delete from ${table} s using d where ${row("s")} = d.row
      returning s.*, d.first as ${sql.id("$first")}
    )
    ${insertDuplicates(runId, target, columns)}
  `.execute(db);
}

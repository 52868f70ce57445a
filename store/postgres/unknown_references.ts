/**
 * References to other upload types (`references: "facilities"`), checked set-based: one
 * anti-join of the run's staging table against each referenced table moves every row with a
 * value that is not a key there to `ingest_rows` as an invalid row (`unknown_reference`, one
 * error per unknown value), with its values and raw cells, like duplicate keys
 * (`duplicate_keys.ts`). An empty cell references nothing.
 *
 * The check reads the referenced tables as they are when it runs (staging, or a refresh); it
 * does not lock them.
 *
 * @module
 */
import { type RawBuilder, sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import type { TargetReference, TargetTable } from "../../core/ports.ts";
import { idList } from "./sql_fragments.ts";
import {
  rawCells,
  type StagedColumn,
  textValue,
  typedValue,
  valuesObject,
} from "./staged_values.ts";
import { STAGE, stagingTable } from "./stage_tables.ts";

type Db = IntakeDb;

/** The references of `target` whose column the run's staging table has. */
export function stagedReferences(
  target: TargetTable,
  columns: readonly StagedColumn[],
): { reference: TargetReference; column: StagedColumn }[] {
  return (target.references ?? []).flatMap((reference) => {
    const column = columns.find((c) => c.name === reference.column);
    return column ? [{ reference, column }] : [];
  });
}

/** True (in SQL) when `value` is set and not a key of the table `reference` names. */
export function isUnknownReference(
  reference: TargetReference,
  value: RawBuilder<unknown>,
): RawBuilder<unknown> {
  return sql`(${value} is not null and not exists (
    select 1 from ${sql.table(reference.table)} r where ${
    sql.ref(`r.${reference.key}`)
  } = ${value}))`;
}

/**
 * Moves the rows with an unknown reference to `ingest_rows`; returns how many it moved. Call it
 * with sequential scans of the referenced tables ruled out (`targetScanGuard`).
 */
export async function markUnknownReferences(
  db: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
): Promise<number> {
  const checks = stagedReferences(target, columns);
  if (checks.length === 0) return 0;
  const unknown = (alias: string) => (check: (typeof checks)[number]) =>
    isUnknownReference(check.reference, typedValue(check.column, alias));
  const errors: RawBuilder<unknown>[] = checks.map((check, i) =>
    sql`(${i}, case when ${unknown("m")(check)} then jsonb_build_object(
      'column', ${check.column.name}::text,
      'code', 'unknown_reference',
      'message', format('%s "%s" is not in %s', ${check.column.name}::text,
        ${textValue(check.column, "m")}, ${check.reference.label}::text),
      'value', ${textValue(check.column, "m")}) end)`
  );
  const result = await sql`
    with m as (
      delete from ${sql.table(stagingTable(runId))} s
      where ${sql.join(checks.map(unknown("s")), sql` or `)}
      returning s.*
    )
    insert into ingest_rows (run_id, row_number, line, action, values, raw, errors)
    select ${runId}::uuid, ${sql.ref(`m.${STAGE.row}`)}, ${sql.ref(`m.${STAGE.line}`)}, 'invalid',
      ${valuesObject(columns, "m")},
      coalesce(${sql.ref(`m.${STAGE.raw}`)}::jsonb, ${rawCells(columns, "m")}),
      (select jsonb_agg(e.error order by e.n)
        from (values ${sql.join(errors)}) e(n, error) where e.error is not null)
    from m
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Moves the run's invalid rows whose only errors are unknown references back to its staging
 * table (their values passed validation; the references are what a refresh checks again), as
 * possible repeats; returns their row numbers. The caller checks their keys against the staged
 * rows and their references again.
 */
export async function restoreUnknownReferences(
  db: Db,
  runId: string,
  columns: readonly StagedColumn[],
): Promise<number[]> {
  const names = [STAGE.row, STAGE.line, STAGE.raw, STAGE.repeat, ...columns.map((c) => c.name)];
  const definitions = columns.map((c) => sql`${sql.id(c.name)} ${sql.raw(c.stagedType)}`);
  const values = columns.length ? sql`, ${idList(columns.map((c) => c.name), "x")}` : sql``;
  const record = columns.length
    ? sql`cross join lateral jsonb_to_record(m.values) as x(${sql.join(definitions)})`
    : sql``;
  const { rows } = await sql<{ row: number }>`
    with m as (
      delete from ingest_rows r
      where r.run_id = ${runId} and r.action = 'invalid' and jsonb_array_length(r.errors) > 0
        and not exists (
          select 1 from jsonb_array_elements(r.errors) e
          where e ->> 'code' is distinct from 'unknown_reference'
        )
      returning r.row_number, r.line, r.raw, r.values
    )
    insert into ${sql.table(stagingTable(runId))} (${idList(names)})
    select m.row_number, m.line, m.raw::text, true ${values}
    from m ${record}
    returning ${sql.ref(STAGE.row)} as row
  `.execute(db);
  return rows.map((r) => Number(r.row));
}

/**
 * Classification of staged rows against the target table, set-based in SQL: duplicate keys
 * inside the file, then new / changed / unchanged by key, then (replace mode) deleted.
 *
 * Each staged row keeps `before`, the target's values of the compared columns as they were at
 * classification; commit refuses when the target no longer matches it (a stale review).
 *
 * @module
 */
import { type Kysely, sql } from "kysely";
import type { TargetTable } from "../store.ts";
import { idList, jsonbObject, keyJoin, typedValues } from "./sql_fragments.ts";

// deno-lint-ignore no-explicit-any
type Db = Kysely<any>;

/**
 * Classifies every pending (or previously classified) valid row of a run; `columns` are the
 * config columns present in the file. Runs in the caller's transaction.
 */
export async function classifyRows(
  db: Db,
  runId: string,
  target: TargetTable,
  columns: readonly string[],
): Promise<void> {
  await resetClassification(db, runId);
  await markDuplicateKeys(db, runId, target);
  await classifyAgainstTarget(db, runId, target, columns);
  if (target.writeMode === "replace") await addDeletedRows(db, runId, target, columns);
}

async function resetClassification(db: Db, runId: string): Promise<void> {
  await sql`
    update ingest_rows set action = 'pending', changes = null, before = null
    where run_id = ${runId} and action in ('new', 'changed', 'unchanged')
  `.execute(db);
  await sql`delete from ingest_rows where run_id = ${runId} and action = 'deleted'`.execute(db);
}

async function markDuplicateKeys(db: Db, runId: string, target: TargetTable): Promise<void> {
  const keyList = target.key.join(", ");
  const firstKey = target.key[0];
  await sql`
    update ingest_rows r set
      action = 'invalid',
      errors = jsonb_build_array(jsonb_build_object(
        'column', ${firstKey}::text,
        'code', 'duplicate_key',
        'message', format('Duplicate key (%s): row %s has the same key', ${keyList}::text, d.first),
        'value', r.values ->> ${firstKey}::text,
        'firstRow', d.first))
    from (
      select s.row_number, min(s.row_number) over (partition by ${idList(target.key, "p")}) as first
      from ingest_rows s cross join lateral ${typedValues(target)} p
      where s.run_id = ${runId} and s.action = 'pending'
    ) d
    where r.run_id = ${runId} and r.row_number = d.row_number and d.first <> d.row_number
  `.execute(db);
}

async function classifyAgainstTarget(
  db: Db,
  runId: string,
  target: TargetTable,
  columns: readonly string[],
): Promise<void> {
  const compared = columns.filter((c) => !target.key.includes(c));
  const diffs = compared.length
    ? sql`array_remove(array[${
      sql.join(compared.map((c) =>
        sql`case when ${sql.ref(`t.${c}`)} is distinct from ${sql.ref(`p.${c}`)} then ${
          sql.lit(c)
        } end`
      ))
    }]::text[], null)`
    : sql`array[]::text[]`;
  const found = sql.ref(`t.${target.key[0]}`);
  await sql`
    with m as (
      select s.row_number, ${found} is not null as found, ${diffs} as diff,
        ${jsonbObject(columns, "t")} as tgt, ${jsonbObject(columns, "p")} as staged
      from ingest_rows s
      cross join lateral ${typedValues(target)} p
      left join ${sql.table(target.table)} t on ${keyJoin(target, "t", "p")}
      where s.run_id = ${runId} and s.action = 'pending'
    )
    update ingest_rows s set
      action = case when not m.found then 'new'
        when cardinality(m.diff) > 0 then 'changed' else 'unchanged' end,
      before = case when m.found then m.tgt end,
      changes = case when m.found and cardinality(m.diff) > 0 then (
        select jsonb_agg(jsonb_build_object('column', c, 'old', m.tgt -> c, 'new', m.staged -> c)
          order by o)
        from unnest(m.diff) with ordinality as u(c, o)
      ) end
    from m
    where s.run_id = ${runId} and s.row_number = m.row_number
  `.execute(db);
}

async function addDeletedRows(
  db: Db,
  runId: string,
  target: TargetTable,
  columns: readonly string[],
): Promise<void> {
  await sql`
    insert into ingest_rows (run_id, row_number, line, action, values, before)
    select ${runId}::uuid, -row_number() over (order by ${idList(target.key, "t")}), null,
      'deleted', to_jsonb(t), ${jsonbObject(columns, "t")}
    from ${sql.table(target.table)} t
    where not exists (
      select 1 from ingest_rows s cross join lateral ${typedValues(target)} p
      where s.run_id = ${runId} and s.action in ('new', 'changed', 'unchanged')
        and ${keyJoin(target, "p", "t")}
    )
  `.execute(db);
}

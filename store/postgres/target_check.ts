/**
 * Looks up an upload type's target table and columns in the catalog (`pg_attribute`), for
 * `target_readiness.ts`.
 *
 * @module
 */
import { sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import type { CheckedTarget, TargetProblem } from "../../core/target_readiness.ts";

type Db = IntakeDb;

/** What is missing for `target`, or null when its table and columns are all there. */
export async function findTargetProblem(
  db: Db,
  target: CheckedTarget,
): Promise<TargetProblem | null> {
  const { rows } = await sql<{ found: boolean; columns: string[] | null }>`
    select to_regclass(${target.table}) is not null as found,
      (select array_agg(a.attname::text) from pg_attribute a
       where a.attrelid = to_regclass(${target.table}) and a.attnum > 0 and not a.attisdropped)
        as columns
  `.execute(db);
  const { found, columns } = rows[0];
  const present = new Set(columns ?? []);
  const missingColumns = found
    ? target.columns.map((c) => c.name).filter((name) => !present.has(name))
    : [];
  if (found && missingColumns.length === 0) return null;
  return { uploadType: target.name, table: target.table, missingTable: !found, missingColumns };
}

/** The problems of every target in `targets`, in order (empty when all are ready). */
export async function findTargetProblems(
  db: Db,
  targets: readonly CheckedTarget[],
): Promise<TargetProblem[]> {
  const problems: TargetProblem[] = [];
  for (const target of targets) {
    const problem = await findTargetProblem(db, target);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** A target table as the catalog has it, for comparing with a config (`deno task migrate create-table`). */
export interface TableShape {
  /** Columns in table order; `type` as `format_type` writes it (`bigint`, `numeric(10,2)`). */
  columns: Array<{ name: string; type: string; notNull: boolean; hasDefault: boolean }>;
  /** The primary key and every unique index without a predicate, as column lists. */
  uniqueKeys: Array<{ primary: boolean; columns: string[] }>;
}

/** The columns and unique keys of `table`, or null when there is no such table. */
export async function readTableShape(db: Db, table: string): Promise<TableShape | null> {
  const found = await sql<{ found: boolean }>`select to_regclass(${table}) is not null as found`
    .execute(db);
  if (!found.rows[0].found) return null;
  const columns = await sql<TableShape["columns"][number]>`
    select a.attname::text as name, format_type(a.atttypid, a.atttypmod) as type,
      a.attnotnull as "notNull", a.atthasdef as "hasDefault"
    from pg_attribute a
    where a.attrelid = to_regclass(${table}) and a.attnum > 0 and not a.attisdropped
    order by a.attnum
  `.execute(db);
  const keys = await sql<{ primary: boolean; columns: string[] }>`
    select i.indisprimary as primary,
      array(select a.attname::text from unnest(i.indkey) with ordinality k(attnum, n)
            join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
            order by k.n) as columns
    from pg_index i
    where i.indrelid = to_regclass(${table}) and i.indisunique and i.indpred is null
    order by i.indisprimary desc
  `.execute(db);
  return { columns: columns.rows, uniqueKeys: keys.rows };
}

/** PostgreSQL's own names of `types` (`timestamptz` → `timestamp with time zone`), in order. */
export async function canonicalTypeNames(db: Db, types: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select t::regtype::text as name from unnest(${[...types]}::text[]) with ordinality u(t, n)
    order by n
  `.execute(db);
  return rows.map((r) => r.name);
}

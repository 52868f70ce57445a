/**
 * Looks up an upload type's target table and columns in the catalog (`pg_attribute`), for
 * `target_readiness.ts`.
 *
 * @module
 */
import { type Kysely, sql } from "kysely";
import type { CheckedTarget, TargetProblem } from "../target_readiness.ts";

// deno-lint-ignore no-explicit-any
type Db = Kysely<any>;

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

/**
 * Whether an upload type's target table is there as its config describes it: the table exists
 * and has every configured column. Checked at start (the server and the CLI refuse to start
 * without), by `/health/ready`, and before each run reads its file (`type_not_ready`); the check
 * itself is `sql/target_check.ts`.
 *
 * Column types are not compared: a value the column cannot hold is refused row by row when it is
 * written. Nor is the key's unique index required: commits find rows by key without one, and a
 * first load (`sql/first_load.ts`) checks for it itself and does without.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { IngestError } from "./errors.ts";

/** The part of an upload type the check reads. */
export interface CheckedTarget {
  /** The upload type's name, for messages. */
  readonly name: string;
  readonly table: string;
  readonly columns: ReadonlyArray<{ readonly name: string }>;
}

/** What is missing for one upload type. */
export interface TargetProblem {
  uploadType: string;
  table: string;
  /** True when the table itself does not exist (then `missingColumns` is empty). */
  missingTable: boolean;
  /** Configured columns the table does not have. */
  missingColumns: string[];
}

/** One sentence naming the type, the table and what is missing. */
export function describeTargetProblem(problem: TargetProblem): string {
  const { uploadType, table, missingColumns } = problem;
  if (problem.missingTable) return `upload type "${uploadType}": table "${table}" does not exist`;
  const noun = missingColumns.length === 1 ? "column" : "columns";
  const names = missingColumns.map((c) => `"${c}"`).join(", ");
  return `upload type "${uploadType}": table "${table}" has no ${noun} ${names}`;
}

/** What an operator does about missing tables or columns. */
export const TARGET_FIX =
  "create the table with `deno task migrate create-table <type>` (or change it in a migration " +
  "under migrations/) and run `deno task migrate up` (docs/upload_types.md), or fix the upload " +
  "type's config";

/** Thrown at start when some upload type's table or columns are missing. */
export class TargetTableError extends Error {
  /** Every problem found. */
  readonly problems: readonly TargetProblem[];

  constructor(problems: readonly TargetProblem[]) {
    super(
      `The database does not match the upload types: ${
        problems.map(describeTargetProblem).join("; ")
      }. To fix: ${TARGET_FIX}`,
    );
    this.name = "TargetTableError";
    this.problems = problems;
  }
}

/** The `type_not_ready` error (503) of an upload to a type whose table is not ready. */
export function typeNotReady(problem: TargetProblem): IngestError {
  return new IngestError(
    "type_not_ready",
    `Cannot import: ${describeTargetProblem(problem)} (an operator must ${TARGET_FIX})`,
    { ...problem },
  );
}

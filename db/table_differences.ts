/**
 * How an existing target table differs from its upload type's config, in sentences an operator
 * acts on: missing columns (the start check's own words, `core/target_readiness.ts`), column
 * types, nullability and the key. `deno task migrate create-table` says these instead of writing
 * a migration for a table that is already there.
 *
 * @module
 */
import type { ResolvedUploadType } from "../core/config/upload_type_schema.ts";
import type { TableShape } from "../store/postgres/target_check.ts";
import { describeTargetProblem, type TargetProblem } from "../core/target_readiness.ts";

/**
 * Every difference between `type` and its table, empty when the table fits the config.
 *
 * @param problem What the start check found missing (null: nothing).
 * @param shape The table as the catalog has it.
 * @param expectedTypes PostgreSQL's name of each configured column's SQL type, in column order.
 */
export function tableDifferences(
  type: ResolvedUploadType,
  problem: TargetProblem | null,
  shape: TableShape,
  expectedTypes: readonly string[],
): string[] {
  const differences: string[] = [];
  if (problem !== null && !problem.missingTable) differences.push(describeTargetProblem(problem));
  const byName = new Map(shape.columns.map((c) => [c.name, c]));
  type.columns.forEach((column, i) => {
    const found = byName.get(column.name);
    if (found === undefined) return;
    if (found.type !== expectedTypes[i]) {
      differences.push(
        `column "${column.name}" is ${found.type} in the table, ${
          expectedTypes[i]
        } for a ${column.type} column in the config`,
      );
    }
    if (column.required && !found.notNull) {
      differences.push(
        `column "${column.name}" is required in the config but nullable in the table`,
      );
    } else if (!column.required && found.notNull && !found.hasDefault) {
      differences.push(
        `column "${column.name}" is NOT NULL in the table but optional in the config (an empty cell cannot be written)`,
      );
    }
  });
  const configured = new Set(type.columns.map((c) => c.name));
  for (const extra of shape.columns) {
    if (!configured.has(extra.name) && extra.notNull && !extra.hasDefault) {
      differences.push(
        `column "${extra.name}" is NOT NULL without a default in the table but not in the config (no row can be inserted)`,
      );
    }
  }
  const key = [...type.key].sort().join(",");
  const primary = shape.uniqueKeys.find((k) => k.primary);
  const keyed = shape.uniqueKeys.some((k) => [...k.columns].sort().join(",") === key);
  if (!keyed) {
    const has = primary ? `its primary key is (${primary.columns.join(", ")})` : "it has none";
    differences.push(
      `the key (${
        type.key.join(", ")
      }) is not the table's primary key or a unique index (${has}): a first load into the empty table cannot use it`,
    );
  }
  return differences;
}

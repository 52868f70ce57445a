/**
 * The source of a Kysely migration that creates an upload type's target table from its config,
 * in the style of the hand-written ones (`migrations/0002_demo_types.ts`): each column of its SQL
 * type (`core/config/sql_types.ts`), `NOT NULL` when required, the key as primary key, and a
 * `CHECK` for what PostgreSQL can say as simply as the config: an `enum`'s values and the
 * `min`/`max` of number, date and date-time columns. Patterns and lengths stay with validation
 * (a JavaScript regular expression is not a PostgreSQL one).
 *
 * @example
 * ```ts
 * import facilities from "../config/upload_types/facilities.ts";
 * import { resolveUploadType } from "../core/config/upload_type_schema.ts";
 * import { tableMigrationSource } from "./table_migration.ts";
 *
 * const type = resolveUploadType(facilities, "config/upload_types/facilities.ts");
 * // What create-table writes to migrations/NNNN_facilities.ts:
 * const source = tableMigrationSource(type);
 * if (!source.includes('.addColumn("facility_id", "text", (c) => c.primaryKey())')) {
 *   throw new Error(source);
 * }
 * ```
 *
 * @module
 */
import { sqlType } from "../core/config/sql_types.ts";
import type { ResolvedColumn, ResolvedUploadType } from "../core/config/upload_type_schema.ts";

const RANGED = new Set(["integer", "number", "date", "datetime"]);

/** The migration file's text for `type`'s table. */
export function tableMigrationSource(type: ResolvedUploadType): string {
  const singleKey = type.key.length === 1 ? type.key[0] : undefined;
  const columns = type.columns.map((c) => addColumn(c, c.name === singleKey));
  if (singleKey === undefined) {
    // PostgreSQL truncates names past 63 characters; keep the suffix that says what it is.
    const name = `${type.table.slice(0, 63 - "_pkey".length)}_pkey`;
    columns.push(`.addPrimaryKeyConstraint(${str(name)}, [${type.key.map(str).join(", ")}])`);
  }
  const usesSql = columns.some((line) => line.includes("sql`"));
  return `/**
 * Target table of the upload type \`${type.name}\`, written from its config
 * (\`${type.source}\`) by \`deno task migrate create-table ${type.name}\`.
 * Column types follow \`core/config/sql_types.ts\`.
 *
 * @module
 */
import ${usesSql ? "{ type Kysely, sql }" : "type { Kysely }"} from "kysely";

/** Creates \`${type.table}\`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable(${str(type.table)})
${columns.map((line) => `    ${line}\n`).join("")}    .execute();
}

/** Drops \`${type.table}\`. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable(${str(type.table)}).execute();
}
`;
}

function addColumn(column: ResolvedColumn, primaryKey: boolean): string {
  const calls: string[] = [];
  if (primaryKey) calls.push("primaryKey()");
  else if (column.required) calls.push("notNull()");
  const check = checkOf(column);
  if (check !== undefined) calls.push(`check(sql\`${templateText(check)}\`)`);
  const builder = calls.length === 0 ? "" : `, (c) => c.${calls.join(".")}`;
  return `.addColumn(${str(column.name)}, ${str(sqlType(column))}${builder})`;
}

/** The column's CHECK expression, or undefined when it needs none. */
function checkOf(column: ResolvedColumn): string | undefined {
  // Names are lower-case identifiers (the config schema says so); quoted, a reserved word is one too.
  const name = `"${column.name}"`;
  if (column.type === "enum" && column.values?.length) {
    return `${name} in (${column.values.map(literal).join(", ")})`;
  }
  if (!RANGED.has(column.type)) return undefined;
  const { min, max } = column;
  if (min !== undefined && max !== undefined) {
    return `${name} between ${literal(min)} and ${literal(max)}`;
  }
  if (min !== undefined) return `${name} >= ${literal(min)}`;
  if (max !== undefined) return `${name} <= ${literal(max)}`;
  return undefined;
}

/** A SQL literal: a number as written, a string quoted. */
function literal(value: number | string): string {
  return typeof value === "number" ? String(value) : `'${value.replaceAll("'", "''")}'`;
}

/** `text` made safe inside a TypeScript template literal. */
function templateText(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("`", "\\`").replaceAll("${", "\\${");
}

/** A TypeScript string literal. */
function str(text: string): string {
  return JSON.stringify(text);
}

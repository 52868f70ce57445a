/**
 * The PostgreSQL type of each column type: what target-table migrations declare and what the
 * stage and commit SQL casts staged values to.
 *
 * `number` is `numeric`, not `double precision`: validation keeps a number as its exact decimal
 * digits (`"1.10"` stays `"1.10"`), and `numeric` stores and exports exactly those digits,
 * where a float would turn `0.1` into `0.1000000000000000055…` on the way through arithmetic
 * and drop the scale that the file had. `integer` is `bigint` because validation accepts every
 * safe JavaScript integer (up to 2^53 − 1), which does not fit `integer`.
 *
 * This module is browser compatible.
 *
 * @example
 * ```ts
 * import { sqlType } from "./sql_types.ts";
 * if (sqlType({ type: "number" }) !== "numeric") throw new Error("unexpected");
 * ```
 *
 * @module
 */
import type { ColumnType } from "./define_upload_type.ts";

/** PostgreSQL type by column type. */
export const SQL_TYPES: Readonly<Record<ColumnType, string>> = Object.freeze({
  text: "text",
  integer: "bigint",
  number: "numeric",
  boolean: "boolean",
  date: "date",
  datetime: "timestamptz",
  enum: "text",
  email: "text",
});

/** The PostgreSQL type of a column (or of a column type). */
export function sqlType(column: { readonly type: ColumnType } | ColumnType): string {
  return SQL_TYPES[typeof column === "string" ? column : column.type];
}

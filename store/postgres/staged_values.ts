/**
 * The values of a typed staging table (`typed_staging.ts`) as SQL reads them: as the target's
 * type (to compare and write), as the JSON that validation produced (for review), and as the
 * text a file cell would have held (to rebuild the raw cells of a row that kept none).
 *
 * {@linkcode cellText} is the JavaScript side of the last one: a row whose cells all equal
 * `cellText` of its values stores no raw cells, because {@linkcode rawCells} rebuilds them
 * exactly. The two must agree, type by type.
 *
 * @module
 */
import { type RawBuilder, sql } from "kysely";
import type { ColumnType } from "../../core/config/define_upload_type.ts";
import { sqlType } from "../../core/config/sql_types.ts";
import type { CellValue, TargetColumn, TargetTable } from "../../core/ports.ts";

/** A column of a staging table: its name and its PostgreSQL type there. */
export interface StagedColumn {
  readonly name: string;
  /** `format_type()` spelling: `text`, `bigint`, `numeric`, `boolean`, `date`. */
  readonly stagedType: string;
  /** The config type, when known (not when the table was read back from the catalog). */
  readonly type?: ColumnType;
}

/** The PostgreSQL type a column has in staging: the target's, except datetime (see below). */
export function stagedType(type: ColumnType): string {
  // Validation already turned a datetime into one exact ISO text; staging that text lets the
  // review show the value as validated. It is cast to timestamptz where it is compared or
  // written.
  return type === "datetime" ? "text" : sqlType(type);
}

/** The staging columns of `columns` (config columns in file order) of `target`. */
export function stagedColumns(
  target: TargetTable,
  columns: readonly string[],
): StagedColumn[] {
  return columns.map((name) => {
    const column = target.columns.find((c) => c.name === name);
    if (!column) {
      throw new TypeError(`Cannot stage column "${name}": not a column of "${target.table}"`);
    }
    return { name, type: column.type, stagedType: stagedType(column.type) };
  });
}

/** `alias.column` as the target's type (datetime text cast to timestamptz). */
export function typedValue(
  column: TargetColumn | StagedColumn,
  alias: string,
): RawBuilder<unknown> {
  const ref = sql.ref(`${alias}.${column.name}`);
  return column.type === "datetime" ? sql`${ref}::timestamptz` : ref;
}

/** `alias.column` as validation's JSON: numbers of `number` columns are exact decimal strings. */
export function jsonValue(column: StagedColumn, alias: string): RawBuilder<unknown> {
  const ref = sql.ref(`${alias}.${column.name}`);
  return column.stagedType === "numeric" ? sql`to_jsonb(${ref}::text)` : sql`to_jsonb(${ref})`;
}

/** `alias.column` as cell text (null stays null); see {@linkcode cellText}. */
export function textValue(column: StagedColumn, alias: string): RawBuilder<unknown> {
  const ref = sql.ref(`${alias}.${column.name}`);
  if (column.stagedType === "text") return ref;
  // to_json writes dates as ISO 8601 whatever the session's DateStyle.
  if (column.stagedType === "date") return sql`(to_json(${ref}) #>> '{}')`;
  // bigint, numeric (canonical digits, as validation wrote them) and boolean (true/false).
  return sql`${ref}::text`;
}

/**
 * The text a cell must have held for {@linkcode rawCells} to rebuild it from `value`: what
 * `textValue` gives for the staged value.
 */
export function cellText(value: CellValue): string {
  if (value === null) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  return typeof value === "number" ? String(value) : value;
}

/** `jsonb_build_object('a', …, 'b', …)` of the staged values, as validation produced them. */
export function valuesObject(
  columns: readonly StagedColumn[],
  alias: string,
): RawBuilder<unknown> {
  // PostgreSQL functions take at most 100 arguments: chunks of 40 pairs, concatenated.
  const chunks: RawBuilder<unknown>[] = [];
  for (let i = 0; i < columns.length; i += 40) {
    const pairs = columns.slice(i, i + 40).map((c) =>
      sql`${sql.lit(c.name)}, ${jsonValue(c, alias)}`
    );
    chunks.push(sql`jsonb_build_object(${sql.join(pairs)})`);
  }
  return chunks.length ? sql.join(chunks, sql` || `) : sql`'{}'::jsonb`;
}

/** The cells of a staged row in file order, rebuilt as text (a null as an empty cell). */
export function rawCells(columns: readonly StagedColumn[], alias: string): RawBuilder<unknown> {
  const chunks: RawBuilder<unknown>[] = [];
  for (let i = 0; i < columns.length; i += 90) {
    const cells = columns.slice(i, i + 90).map((c) => sql`coalesce(${textValue(c, alias)}, '')`);
    chunks.push(sql`jsonb_build_array(${sql.join(cells)})`);
  }
  return chunks.length ? sql.join(chunks, sql` || `) : sql`'[]'::jsonb`;
}

/** `t.k1 = s.k1 AND …` over the key, the staged side typed like the target's. */
export function keyMatch(
  target: TargetTable,
  targetAlias: string,
  stagedAlias: string,
): RawBuilder<unknown> {
  return sql.join(
    target.key.map((k) => {
      const column = target.columns.find((c) => c.name === k) ?? { name: k, type: "text" };
      return sql`${sql.ref(`${targetAlias}.${k}`)} = ${typedValue(column, stagedAlias)}`;
    }),
    sql` AND `,
  );
}

/**
 * `(t.a, t.b) IS DISTINCT FROM (s.a, s.b)` over `columns`: does the staged row change the
 * target's? False when there is nothing to compare.
 */
export function differs(
  columns: readonly StagedColumn[],
  targetAlias: string,
  stagedAlias: string,
): RawBuilder<unknown> {
  if (columns.length === 0) return sql`false`;
  const left = sql.join(columns.map((c) => sql.ref(`${targetAlias}.${c.name}`)));
  const right = sql.join(columns.map((c) => typedValue(c, stagedAlias)));
  return sql`(row(${left}) is distinct from row(${right}))`;
}

/**
 * The field changes from target row `t` to staged row `s` over `columns`, in column order:
 * `[{"column", "old", "new"}, …]`, or null when there are none.
 */
export function changesOf(
  columns: readonly StagedColumn[],
  targetAlias: string,
  stagedAlias: string,
): RawBuilder<unknown> {
  if (columns.length === 0) return sql`null::jsonb`;
  const items = columns.map((c) => {
    const old = sql.ref(`${targetAlias}.${c.name}`);
    const now = typedValue(c, stagedAlias);
    return sql`case when ${old} is distinct from ${now} then jsonb_build_array(jsonb_build_object(
      'column', ${sql.lit(c.name)}, 'old', to_jsonb(${old}), 'new', to_jsonb(${now}))) end`;
  });
  // `||` with a null yields null, so each absent change counts as an empty array.
  const parts = items.map((item) => sql`coalesce(${item}, '[]'::jsonb)`);
  return sql`nullif(${sql.join(parts, sql` || `)}, '[]'::jsonb)`;
}

/**
 * Stage `validate`: every row against a zod schema compiled once per run from the upload type
 * (only the columns the file has). Every error of a row is collected, never just the first.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { z } from "zod";
import { type CellRule, compileCellRule, type RowErrorCode } from "../config/cell_rules.ts";
import type { CellValue } from "../store.ts";
import type { HeaderMapping } from "./map_headers.ts";

export type { RowErrorCode } from "../config/cell_rules.ts";

/** One problem in one row; `column` is null for whole-row problems such as `ragged_row`. */
export interface RowError {
  column: string | null;
  code: RowErrorCode;
  message: string;
  value: string | null;
}

/** The typed values of a row, or its errors (values then hold what did parse). */
export type RowResult =
  | { ok: true; values: Record<string, CellValue> }
  | { ok: false; values: Record<string, CellValue>; errors: RowError[] };

/** A compiled row validator: the fields of one record in, typed values or errors out. */
export type RowValidator = (fields: readonly string[]) => RowResult;

/**
 * Compiles the validator for one run from the file's header mapping (columns carry their rules).
 *
 * @example
 * ```ts ignore
 * const validate = compileRowValidator(mapHeaders(type, header));
 * const result = validate(["ABC-000001", "North Plant"]);
 * if (!result.ok) console.log(result.errors); // [{ column, code, message, value }]
 * ```
 */
export function compileRowValidator(mapping: HeaderMapping): RowValidator {
  const schema = z.object(Object.fromEntries(
    mapping.columns.map(({ column }) => [column.name, cellSchema(compileCellRule(column))]),
  ));
  const columns = mapping.columns;
  const width = mapping.headerCount;
  return (fields) => {
    const ragged = raggedError(fields, width);
    if (ragged && fields.length < width) return { ok: false, values: {}, errors: [ragged] };
    const input: Record<string, string> = {};
    for (const { index, column } of columns) input[column.name] = fields[index] ?? "";
    const result = schema.safeParse(input);
    if (result.success && !ragged) return { ok: true, values: result.data };
    const errors: RowError[] = ragged ? [ragged] : [];
    for (const issue of result.error?.issues ?? []) {
      const column = String(issue.path[0]);
      const params = (issue as { params?: { code?: RowErrorCode } }).params;
      errors.push({
        column,
        code: params?.code ?? "type",
        message: issue.message,
        value: input[column] ?? null,
      });
    }
    return { ok: false, values: result.data ?? {}, errors };
  };
}

function cellSchema(rule: CellRule) {
  return z.string().transform((raw, ctx): CellValue => {
    const result = rule(raw);
    if (result.ok) return result.value;
    ctx.addIssue({ code: "custom", message: result.message, params: { code: result.code } });
    return z.NEVER;
  });
}

// Spreadsheets often pad rows with empty trailing cells; only real extra data is an error.
function raggedError(fields: readonly string[], width: number): RowError | null {
  if (fields.length === width) return null;
  if (fields.length > width && fields.slice(width).every((f) => f === "")) return null;
  return {
    column: null,
    code: "ragged_row",
    message: `The row has ${fields.length} fields but the header has ${width}`,
    value: null,
  };
}

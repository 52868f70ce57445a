/**
 * Stage `validate`: every row against rules compiled once per run from the upload type (itself
 * checked by its zod schema, `upload_type_schema.ts`) and the file's header mapping (only the
 * columns the file has). Every error of a row is collected (column, code, message, offending
 * value), never just the first.
 *
 * Each column's rule (`core/config/cell_rules.ts`) is precompiled from its config and runs once
 * per cell, in column order. Rows do not go through a zod object schema of those rules: its input
 * object and result per row cost a sixth of a clean file's time (measured), for the errors the
 * rules report themselves.
 *
 * This module is browser compatible.
 *
 * @example
 * ```ts
 * import { resolveUploadType } from "../config/upload_type_schema.ts";
 * import { mapHeaders } from "./map_headers/header_match.ts";
 * import { compileRowValidator } from "./validate.ts";
 * const type = resolveUploadType({
 *   name: "sites", label: "Sites", table: "sites", key: ["site_id"],
 *   columns: [
 *     { name: "site_id", type: "text", required: true },
 *     { name: "staff", type: "integer", min: 0 },
 *   ],
 * }, "sites.ts");
 * const validate = compileRowValidator(type, mapHeaders(type, ["site_id", "staff"]));
 * const good = validate(["S1", " 12 "]);
 * const bad = validate(["", "-1"]);
 * if (!good.ok || good.values.staff !== 12) throw new Error("unexpected");
 * if (bad.ok || bad.errors.map((e) => e.code).join() !== "required,min") throw new Error("unexpected");
 * ```
 *
 * @module
 */
import { CellFailure, compileCellRule, type Value } from "../config/cell_rules.ts";
import type { RowErrorCode } from "../config/cell_rules.ts";
import type { ResolvedUploadType } from "../config/upload_type_schema.ts";
import type { HeaderMapping } from "./map_headers/header_match.ts";
import type { SourceRecord } from "./parse/source_record.ts";
import { defineStageSpan } from "../telemetry.ts";

export type { RowErrorCode, Value } from "../config/cell_rules.ts";

/** One problem in one row; `column` is null for whole-row problems such as `ragged_row`. */
export interface RowError {
  column: string | null;
  code: RowErrorCode;
  message: string;
  /** The cell as the file had it; null for whole-row problems. */
  value: string | null;
}

/** The typed values of a row, or its errors (values then hold the cells that did pass). */
export type RowResult =
  | { ok: true; values: Record<string, Value> }
  | { ok: false; values: Record<string, Value>; errors: RowError[] };

/**
 * A compiled row validator: the fields of one record in, typed values or errors out. `numbers`
 * marks the fields that came typed as numbers (a workbook's number cells, JSON numbers): those
 * are read as plain numbers, since a number option (`decimalSeparator`, `thousandsSeparator`,
 * `percent`, `currency`) describes how text writes a number, and a typed number is no text:
 * under thousands dots a workbook's 1.234 is 1.234, not 1234.
 */
export type RowValidator = (fields: readonly string[], numbers?: readonly boolean[]) => RowResult;

/**
 * Compiles the validator for one run, once, from the upload type and the file's header mapping.
 *
 * @param type The upload type the mapping was made for.
 * @param mapping The file's header mapping ({@linkcode mapHeaders}).
 * @returns A function from a record's fields to its typed values or its errors. Only the
 * file's mapped columns appear in `values`: an absent optional column stays absent.
 */
export function compileRowValidator(
  type: ResolvedUploadType,
  mapping: HeaderMapping,
): RowValidator {
  assertMapped(type, mapping);
  const names = mapping.columns.map((c) => c.column.name);
  const indexes = mapping.columns.map((c) => c.index);
  const rules = mapping.columns.map(({ column }) => compileCellRule(column));
  const numberRules = mapping.columns.map(({ column }, i) =>
    column.type === "number" || column.type === "integer" ? compileCellRule(column, true) : rules[i]
  );
  const width = mapping.headerCount;
  const count = names.length;

  return (fields, numbers) => {
    let errors: RowError[] | null = null;
    if (fields.length !== width) {
      const ragged = raggedError(fields, width);
      // A short row has lost a delimiter or more: its cells no longer line up with the header,
      // so checking them would only add misleading errors.
      if (ragged && fields.length < width) return { ok: false, values: {}, errors: [ragged] };
      if (ragged) errors = [ragged];
    }
    const values: Record<string, Value> = {};
    for (let i = 0; i < count; i++) {
      const raw = fields[indexes[i]];
      const value = numbers !== undefined && numbers[indexes[i]] === true
        ? numberRules[i](raw)
        : rules[i](raw);
      if (!(value instanceof CellFailure)) values[names[i]] = value;
      else {
        (errors ??= []).push({
          column: names[i],
          code: value.code,
          message: value.message,
          value: raw,
        });
      }
    }
    return errors ? { ok: false, values, errors } : { ok: true, values };
  };
}

/**
 * Validates a batch of records; the header record must not be in it.
 *
 * @returns One result per record, with its spreadsheet row and line.
 */
export function validateBatch(
  validator: RowValidator,
  records: readonly SourceRecord[],
): Array<RowResult & { row: number; line: number }> {
  return records.map((r) => ({ ...validator(r.fields, r.numbers), row: r.row, line: r.line }));
}

function assertMapped(type: ResolvedUploadType, mapping: HeaderMapping): void {
  for (const { column } of mapping.columns) {
    if (!type.columns.includes(column)) {
      throw new TypeError(
        `Cannot validate: column "${column.name}" of the mapping is not a column of "${type.name}"`,
      );
    }
  }
}

// Spreadsheets pad rows with empty trailing cells; only real extra data is an error.
function raggedError(fields: readonly string[], width: number): RowError | null {
  if (fields.length > width) {
    let extra = false;
    for (let i = width; i < fields.length && !extra; i++) extra = fields[i].trim() !== "";
    if (!extra) return null;
  }
  return {
    column: null,
    code: "ragged_row",
    message: fields.length < width
      ? `The row has ${fields.length} fields but the header has ${width}: a delimiter may be missing`
      : `The row has ${fields.length} fields but the header has ${width}: remove the extra values`,
    value: null,
  };
}

/** The `ingest.validate` span, closed with the rows validated and the time spent on them. */
export const validateSpan = defineStageSpan(
  "validate",
  (counts: { rows: number; invalid: number; busyMs: number }) => ({
    "ingest.rows": counts.rows,
    "ingest.invalid_rows": counts.invalid,
    "ingest.busy_ms": Math.round(counts.busyMs),
  }),
);

/**
 * The COPY text of a batch of valid rows for a typed staging table (`typed_staging.ts`):
 * `$row,$line,$raw,$repeat,<config columns in file order>` per line, CSV as PostgreSQL reads it (an
 * unquoted empty field is NULL, so an empty string is written `""`).
 *
 * This is the hot path of staging (every valid row of every file): a line is built as the row
 * is validated, and `$raw` is left empty (NULL) whenever the row's cells can be rebuilt from its
 * values, as they can for a clean file.
 *
 * @module
 */
import type { StagedRow } from "../../core/ports.ts";
import { cellText } from "./staged_values.ts";

// Characters that make COPY's CSV reader need quotes around a field.
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Encodes one valid row (`errors` null) for COPY into a staging table with `columns`, without
 * its line break (a batch is joined with "\n"); `repeat` marks a key that may repeat.
 *
 * `$raw` is left empty when the raw cells are exactly the row's values as cell text in column
 * order (`cellText`), because SQL rebuilds them (`rawCells`); ignored or extra columns, trimmed
 * cells, `yes` for true, `1.50e1` for 15.0 and the like keep them. Both are worked out in one
 * pass over the values (measured: a third less time than an array of fields joined, and a
 * separate pass for the raw cells).
 */
export function stagingLine(columns: readonly string[], row: StagedRow, repeat: boolean): string {
  const { values, raw } = row;
  let implied = raw.length === columns.length;
  // Lines live only until their group of 256 is joined (`CopyBuffer`), so the rope `+=` builds
  // is flattened young, by the join.
  let tail = "";
  for (let c = 0; c < columns.length; c++) {
    const value = values[columns[c]] ?? null;
    const text = cellText(value);
    if (implied && raw[c] !== text) implied = false;
    tail += `,${field(value, text)}`;
  }
  const rawField = implied ? "" : quote(JSON.stringify(raw));
  return `${row.row},${row.line},${rawField},${repeat ? "t" : ""}${tail}`;
}

/**
 * Encodes a valid row's `values` for `COPY target (columns)`, without its line break: the
 * fields of {@linkcode stagingLine} alone.
 */
export function targetLine(columns: readonly string[], values: StagedRow["values"]): string {
  let line = "";
  for (let c = 0; c < columns.length; c++) {
    const value = values[columns[c]] ?? null;
    line += c === 0 ? field(value, cellText(value)) : `,${field(value, cellText(value))}`;
  }
  return line;
}

// The COPY field of a value whose cell text is `text`: that text but for NULL, an empty string
// (quoted) and booleans (t/f).
function field(value: StagedRow["values"][string], text: string): string {
  if (typeof value === "boolean") return value ? "t" : "f";
  if (typeof value !== "string") return text;
  return value === "" || NEEDS_QUOTES.test(value) ? quote(value) : value;
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

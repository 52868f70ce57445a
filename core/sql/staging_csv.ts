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
import type { CellValue, StagedRow } from "../store.ts";
import { cellText } from "./staged_values.ts";

// Characters that make COPY's CSV reader need quotes around a field.
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Encodes one valid row (`errors` null) for COPY into a staging table with `columns`, without
 * its line break (a batch is joined with "\n"); `repeat` marks a key that may repeat.
 */
export function stagingLine(columns: readonly string[], row: StagedRow, repeat: boolean): string {
  const values = row.values;
  const fields = new Array<string | number>(columns.length + 4);
  fields[0] = row.row;
  fields[1] = row.line;
  fields[2] = rawIsImplied(row.raw, values, columns) ? "" : quote(JSON.stringify(row.raw));
  fields[3] = repeat ? "t" : "";
  for (let c = 0; c < columns.length; c++) fields[c + 4] = field(values[columns[c]] ?? null);
  // A joined string is flat, where `+=` builds a rope of a dozen pieces: a line waits in its
  // batch long enough to be promoted, and the rope would cost the garbage collector five times
  // the memory.
  return fields.join(",");
}

/**
 * True when `raw` is exactly the row's values as cell text in column order: then the raw cells
 * need not be kept, because SQL rebuilds them (`rawCells`). Ignored or extra columns, trimmed
 * cells, `yes` for true, `1.50e1` for 15.0 and the like keep them.
 */
export function rawIsImplied(
  raw: readonly string[],
  values: Readonly<Record<string, CellValue>>,
  columns: readonly string[],
): boolean {
  if (raw.length !== columns.length) return false;
  for (let c = 0; c < columns.length; c++) {
    if (raw[c] !== cellText(values[columns[c]] ?? null)) return false;
  }
  return true;
}

function field(value: CellValue): string {
  if (value === null) return "";
  if (typeof value === "string") {
    return value === "" || NEEDS_QUOTES.test(value) ? quote(value) : value;
  }
  if (typeof value === "boolean") return value ? "t" : "f";
  return String(value);
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * CSV out of Intake: a type's upload template, and the current target rows as `export.csv`
 * (config column order, sorted by key, streamed page by page).
 *
 * @module
 */
import type { ResolvedColumn, ResolvedUploadType } from "./config/upload_type_schema.ts";
import { csvRecord } from "./csv/stringify.ts";
import type { ReviewReader } from "./ports.ts";

const encoder = new TextEncoder();

/** Streams the target table as CSV: booleans true/false, plain decimals, ISO dates, null empty. */
export function exportCsv(
  store: Pick<ReviewReader, "exportRows">,
  type: ResolvedUploadType,
): ReadableStream<Uint8Array> {
  const columns = type.columns.map((c) => c.name);
  // A generator stream, so a client leaving mid-read cancels it between pages (see errorReport).
  return ReadableStream.from(async function* () {
    yield encoder.encode(csvRecord(columns));
    for await (const page of store.exportRows(type, columns)) {
      let chunk = "";
      for (const row of page) {
        chunk += csvRecord(columns.map((c) => row[c] as string | null), { escapeFormulas: true });
      }
      yield encoder.encode(chunk);
    }
  }());
}

/** The upload template: the header row and one example row that passes validation. */
export function templateCsv(type: ResolvedUploadType): string {
  return csvRecord(type.columns.map((c) => c.name)) +
    csvRecord(type.columns.map(exampleValue));
}

function exampleValue(column: ResolvedColumn): string {
  if (column.example !== undefined) return String(column.example);
  switch (column.type) {
    case "integer":
      return String(column.min ?? 1);
    case "number":
      return String(column.min ?? 0);
    case "boolean":
      return "true";
    case "date":
      return "2024-01-31";
    case "datetime":
      return "2024-01-31T12:00:00Z";
    case "enum":
      return column.values?.[0] ?? "";
    case "email":
      return "name@example.com";
    default:
      return column.label;
  }
}

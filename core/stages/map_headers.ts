/**
 * Stage `map_headers`: matches the file's header row to the type's columns by name, label or
 * alias, ignoring case, spaces, `_` and `-`.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { IngestError } from "../errors.ts";
import {
  headerKey,
  type ResolvedColumn,
  type ResolvedUploadType,
} from "../config/upload_type_schema.ts";

/** Which file column feeds which config column, and which file columns are ignored. */
export interface HeaderMapping {
  columns: Array<{ index: number; column: ResolvedColumn }>;
  ignored: Array<{ index: number; header: string }>;
  headerCount: number;
}

const lookups = new WeakMap<ResolvedUploadType, Map<string, ResolvedColumn>>();

function lookupOf(type: ResolvedUploadType): Map<string, ResolvedColumn> {
  let lookup = lookups.get(type);
  if (!lookup) {
    lookup = new Map();
    for (const column of type.columns) {
      for (const text of [column.name, column.label, ...column.aliases]) {
        lookup.set(headerKey(text), column);
      }
    }
    lookups.set(type, lookup);
  }
  return lookup;
}

/**
 * Maps `header` to the columns of `type`; throws `header_error` with `details.missing`,
 * `details.duplicate`, `details.blank`, `details.unexpected` and `details.found`.
 *
 * @example
 * ```ts ignore
 * const mapping = mapHeaders(type, ["Facility ID", "Name", "notes"]);
 * mapping.columns[0].column.name; // "facility_id"
 * mapping.ignored; // [{ index: 2, header: "notes" }]
 * ```
 */
export function mapHeaders(type: ResolvedUploadType, header: readonly string[]): HeaderMapping {
  const lookup = lookupOf(type);
  const columns: HeaderMapping["columns"] = [];
  const ignored: HeaderMapping["ignored"] = [];
  const seen = new Map<string, string>();
  const duplicate: string[] = [];
  const blank: number[] = [];
  header.forEach((text, index) => {
    if (text.trim() === "") return blank.push(index + 1);
    const column = lookup.get(headerKey(text));
    if (!column) return ignored.push({ index, header: text });
    if (seen.has(column.name)) return duplicate.push(text);
    seen.set(column.name, text);
    columns.push({ index, column });
  });
  const missing = type.columns.filter((c) => c.required && !seen.has(c.name)).map((c) => c.name);
  if (missing.length || duplicate.length || blank.length || columns.length === 0) {
    const problems = [
      missing.length ? `missing required column(s) ${list(missing)}` : "",
      duplicate.length ? `duplicate column(s) ${list(duplicate)}` : "",
      blank.length ? `blank header cell(s) at position ${blank.join(", ")}` : "",
      columns.length === 0 && !missing.length ? "no column matches this upload type" : "",
    ].filter(Boolean);
    throw new IngestError("header_error", `The header row has ${problems.join("; ")}`, {
      missing,
      duplicate,
      blank,
      unexpected: ignored.map((i) => i.header),
      found: [...header],
      expected: type.columns.map((c) => c.name),
    });
  }
  return { columns, ignored, headerCount: header.length };
}

function list(names: string[]): string {
  return names.map((n) => `"${n}"`).join(", ");
}

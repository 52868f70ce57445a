/**
 * The matcher of stage `map_headers`: matches the file's header row to the upload type's columns by name, label
 * or alias, ignoring case, spaces, `_` and `-`. Unknown headers are ignored (and reported);
 * a missing required column, two headers for one column, or a blank header refuse the file
 * (blank cells at the end of the header row are padding, as spreadsheets write them).
 *
 * This module is browser compatible.
 *
 * @example
 * ```ts
 * import { resolveUploadType } from "../../config/upload_type_schema.ts";
 * import { mapHeaders } from "./header_match.ts";
 * const type = resolveUploadType({
 *   name: "sites", label: "Sites", table: "sites", key: ["site_id"],
 *   columns: [{ name: "site_id", type: "text", required: true, aliases: ["Site"] }],
 * }, "sites.ts");
 * const mapping = mapHeaders(type, ["SITE", "Notes"]);
 * if (mapping.columns[0].column.name !== "site_id" || mapping.ignored[0].header !== "Notes") {
 *   throw new Error("unexpected");
 * }
 * ```
 *
 * @module
 */
import { IngestError } from "../../errors.ts";
import { boundText, MAX_DETAIL_CHARS } from "../../error_bounds.ts";
import {
  headerKey,
  type ResolvedColumn,
  type ResolvedUploadType,
} from "../../config/upload_type_schema.ts";

/** Which file column feeds which config column, and which file columns are ignored. */
export interface HeaderMapping {
  /** Mapped file columns in file order; `index` is the 0-based field index. */
  columns: Array<{ index: number; column: ResolvedColumn }>;
  /** File columns no config column matches. */
  ignored: Array<{ index: number; header: string }>;
  /** Number of header cells: the field count every record should have. */
  headerCount: number;
}

const lookups = new WeakMap<ResolvedUploadType, ReadonlyMap<string, ResolvedColumn>>();

function lookupOf(type: ResolvedUploadType): ReadonlyMap<string, ResolvedColumn> {
  let lookup = lookups.get(type);
  if (!lookup) {
    const map = new Map<string, ResolvedColumn>();
    for (const column of type.columns) {
      for (const text of [column.name, column.label, ...column.aliases]) {
        map.set(headerKey(text), column);
      }
    }
    lookup = map;
    lookups.set(type, lookup);
  }
  return lookup;
}

/**
 * How a header matches a column of `type` by itself: `exact` (the column's name), `alias` (its
 * label or an alias), or undefined when it matches none.
 */
export function matchHeader(
  type: ResolvedUploadType,
  header: string,
): { column: ResolvedColumn; by: "exact" | "alias" } | undefined {
  const key = headerKey(header);
  const column = key === "" ? undefined : lookupOf(type).get(key);
  if (!column) return undefined;
  return { column, by: headerKey(column.name) === key ? "exact" : "alias" };
}

/**
 * Maps a header row to the columns of `type`.
 *
 * @param type The upload type.
 * @param header The cells of the file's first record.
 * @returns The mapping the validator is compiled from.
 * @throws {IngestError} `header_error` with `details.missing` (config column names),
 * `details.duplicate` and `details.unexpected` (header texts), `details.blank` (1-based
 * positions), `details.found` (the header row) and `details.expected` (config column names).
 */
export function mapHeaders(
  type: ResolvedUploadType,
  header: readonly string[],
  explicit?: ColumnMapping,
): HeaderMapping {
  const lookup = lookupOf(type);
  const chosen = explicit && chosenColumns(type, explicit);
  const columns: HeaderMapping["columns"] = [];
  const ignored: HeaderMapping["ignored"] = [];
  const blank: number[] = [];
  // Keyed by config column name, or by the header key of an unknown header.
  const groups = new Map<string, { column?: string; indexes: number[] }>();
  header.forEach((text, index) => {
    const key = headerKey(text);
    if (key === "") return void blank.push(index + 1);
    const pick = chosen?.get(key);
    const column = pick === undefined ? lookup.get(key) : pick ?? undefined;
    const id = column ? `column:${column.name}` : `header:${key}`;
    const group = groups.get(id);
    if (group) return void group.indexes.push(index);
    groups.set(id, { column: column?.name, indexes: [index] });
    if (column) columns.push({ index, column });
    else ignored.push({ index, header: text });
  });

  const present = new Set(columns.map((c) => c.column.name));
  const missing = type.columns.filter((c) => c.required && !present.has(c.name)).map((c) => c.name);
  const repeated = [...groups.values()].filter((g) => g.indexes.length > 1);
  const empty = header.length === 0 || blank.length === header.length;
  // Spreadsheets save formatted but empty columns as empty cells at the end of every line; at
  // the end of the header row they are padding, as they are at the end of a data row (values
  // under them still make that row ragged). Only blanks before the last name are nameless.
  let width = header.length;
  while (!empty && blank.at(-1) === width) {
    blank.pop();
    width--;
  }
  if (!empty && !missing.length && !repeated.length && !blank.length && columns.length) {
    return { columns, ignored, headerCount: width };
  }

  const problems: string[] = [];
  if (empty) {
    problems.push("the first line of the file is empty");
  } else {
    if (missing.length) {
      const noun = missing.length === 1 ? "column" : "columns";
      problems.push(`missing the required ${noun} ${quoteList(missing)}`);
    }
    for (const g of repeated) {
      const texts = quoteList(g.indexes.map((i) => header[i]));
      const positions = words(g.indexes.map((i) => String(i + 1)));
      problems.push(
        g.column
          ? `columns ${positions} (${texts}) ${both(g.indexes)} mean column "${g.column}"`
          : `columns ${positions} have the same header ${quote(header[g.indexes[0]])}`,
      );
    }
    if (blank.length) {
      problems.push(
        blank.length === 1
          ? `column ${blank[0]} has no header`
          : `columns ${words(blank.map(String))} have no header`,
      );
    }
    if (!columns.length && !missing.length) {
      problems.push(`no header matches a column of ${type.label}`);
    }
  }
  throw new IngestError("header_error", `The header row is not valid: ${problems.join("; ")}`, {
    missing,
    unexpected: ignored.map((i) => i.header),
    duplicate: repeated.flatMap((g) => g.indexes.map((i) => header[i])),
    blank,
    found: [...header],
    expected: type.columns.map((c) => c.name),
  });
}

function both(items: readonly unknown[]): string {
  return items.length === 2 ? "both" : "all";
}

function quoteList(items: readonly string[]): string {
  return words(items.map(quote));
}

/** A header quoted in a message: the file decides its length, so a long one is cut. */
function quote(text: string): string {
  return JSON.stringify(boundText(text, MAX_DETAIL_CHARS));
}

function words(items: readonly string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * A person's choice of config column for file headers (header text → column name, or null to
 * ignore that file column); headers it leaves out are matched by name, label and alias as usual.
 */
export type ColumnMapping = Record<string, string | null>;

/**
 * Checks every target of `mapping` is a column of `type`; throws `bad_request` listing the
 * columns otherwise.
 */
export function checkMapping(type: ResolvedUploadType, mapping: ColumnMapping): void {
  const names = new Set(type.columns.map((c) => c.name));
  const unknown = Object.values(mapping).filter((c): c is string => c !== null && !names.has(c));
  if (unknown.length > 0) {
    throw new IngestError(
      "bad_request",
      `The mapping names ${quoteList(unknown)}, which ${
        unknown.length === 1 ? "is not a column" : "are not columns"
      } of ${type.label}`,
      { unknown, expected: [...names] },
    );
  }
}

/** The same headers give the same signature: the key saved mappings are found by. */
export function headerSignature(header: readonly string[]): string {
  return header.map(headerKey).join("\u001f");
}

function chosenColumns(
  type: ResolvedUploadType,
  mapping: ColumnMapping,
): Map<string, ResolvedColumn | null> {
  checkMapping(type, mapping);
  const byName = new Map(type.columns.map((c) => [c.name, c]));
  return new Map(
    Object.entries(mapping).map(([header, column]) => [
      headerKey(header),
      column === null ? null : byName.get(column)!,
    ]),
  );
}

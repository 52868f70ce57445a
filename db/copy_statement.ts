/**
 * Builds the `COPY … FROM … (FORMAT csv)` statement both drivers send, with identifiers quoted
 * by hand: COPY cannot take its table or columns as bind parameters.
 *
 * @module
 */

/**
 * Quotes a plain (not schema-qualified) identifier: `a"b` becomes `"a""b"`. A dot is kept as part
 * of the name rather than read as a schema separator.
 *
 * @example
 * ```ts
 * import { quoteIdentifier } from "./copy_statement.ts";
 * if (quoteIdentifier('say "hi"') !== '"say ""hi"""') throw new Error("unexpected");
 * ```
 */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) throw new TypeError("Cannot quote identifier: name is empty");
  if (name.includes("\0")) {
    throw new TypeError(`Cannot quote identifier "${name}": name contains a NUL character`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** Returns `COPY "table" ("a", "b") FROM <source> WITH (FORMAT csv)` for CSV without a header. */
export function copyStatement(
  table: string,
  columns: readonly string[],
  source: "STDIN" | "'/dev/blob'",
): string {
  if (columns.length === 0) {
    throw new TypeError(`Cannot copy into "${table}": no columns given`);
  }
  const list = columns.map(quoteIdentifier).join(", ");
  return `COPY ${quoteIdentifier(table)} (${list}) FROM ${source} WITH (FORMAT csv)`;
}

/**
 * Plain-text tables for the terminal: columns padded to their widest cell, numbers aligned
 * right, a dashed rule under the header.
 *
 * @module
 */

/** One column: its header and which side its cells hug. */
export interface TableColumn {
  header: string;
  align?: "left" | "right";
}

/**
 * Lays out `rows` under `columns`, two spaces between columns, no trailing spaces.
 *
 * @example
 * ```ts
 * import { formatTable } from "./table.ts";
 * const text = formatTable([{ header: "Type" }, { header: "Rows", align: "right" }], [
 *   ["facilities", "20"],
 *   ["emissions", "140"],
 * ]);
 * if (text.split("\n")[2] !== "facilities    20") throw new Error(text);
 * ```
 */
export function formatTable(columns: readonly TableColumn[], rows: readonly string[][]): string {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => (row[i] ?? "").length))
  );
  const line = (cells: readonly string[]) =>
    columns.map((column, i) => {
      const cell = cells[i] ?? "";
      return column.align === "right" ? cell.padStart(widths[i]) : cell.padEnd(widths[i]);
    }).join("  ").trimEnd();
  return [
    line(columns.map((c) => c.header)),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
  ].join("\n");
}

/** Two aligned columns of labels and values, for one record. */
export function formatFields(fields: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`.trimEnd()).join("\n");
}

/** A count with thousands separators: `12,345`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

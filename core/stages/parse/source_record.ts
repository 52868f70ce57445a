/**
 * The record every reader yields (CSV, JSON, NDJSON, XLSX alike) and every later stage reads.
 *
 * This module is browser compatible.
 *
 * @module
 */

/** One record of the file: its spreadsheet row (header = 1), the line where it starts, its fields. */
export interface SourceRecord {
  /** Spreadsheet row number (the header is row 1). */
  row: number;
  /** Line of the file where the record starts. */
  line: number;
  fields: string[];
  /**
   * Which fields came typed as numbers (a workbook's number cells, JSON numbers), one flag a
   * field; absent when none did (CSV never does): they are read as numbers, not as text in the
   * type's locale.
   */
  numbers?: boolean[];
}

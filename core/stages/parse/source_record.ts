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
}

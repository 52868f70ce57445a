/**
 * The per-upload budget: how much memory (and work) one upload may make a server spend, whatever
 * the file's format or shape. One number, `memoryBytes`, sets it (the operator's
 * `INTAKE_UPLOAD_MEMORY_BYTES`); every bound a reader enforces derives from it, so an operator
 * tunes one setting and the server's total stays (uploads at once) × (budget).
 *
 * Past any bound a reader throws `limit_exceeded` (HTTP 413) whose details name the limit
 * (`{limit, max, …}`); the server and every other upload go on.
 *
 * This module is browser compatible.
 *
 * @module
 */

/** The bounds one upload's readers enforce; derive them with {@linkcode uploadLimits}. */
export interface UploadLimits {
  /** The budget these bounds derive from, in bytes. */
  readonly memoryBytes: number;
  /** Largest single field (a cell, a JSON value), in UTF-8 bytes. */
  readonly maxFieldBytes: number;
  /** Largest record, header included: the sum of its fields' UTF-8 bytes. */
  readonly maxRecordBytes: number;
  /** Most columns in a record, in a header, or in JSON's union of keys. */
  readonly maxColumns: number;
  /**
   * XLSX: most bytes a workbook's shared strings may take while held (UTF-8 plus 4 bytes each, in
   * buffers outside the JS heap); a sheet refers to any of them at any row, so all are kept.
   */
  readonly maxSharedStringsBytes: number;
  /**
   * XLSX: most bytes the workbook's other held parts may take (sheet names, relationships, date
   * styles), each item counted at {@linkcode XLSX_ITEM_BYTES} plus its text.
   */
  readonly maxWorkbookInfoBytes: number;
  /**
   * XLSX: the parts read may inflate to at most this many times the file's size (plus
   * `inflateSlackBytes`), counted as they inflate. Scanning costs time per inflated byte, so this
   * holds a workbook's work to what an honest file of its size costs.
   */
  readonly maxInflateRatio: number;
  /** XLSX: inflated bytes allowed on top of the ratio, so tiny workbooks are never refused. */
  readonly inflateSlackBytes: number;
  /** XLSX: deepest XML element nesting (libxml2's default; OOXML needs under 20). */
  readonly maxXmlDepth: number;
  /**
   * JSON: the text of the objects held (parsed) while the header is gathered from the first
   * objects, in UTF-16 characters; past it the header is fixed from the objects read so far.
   */
  readonly maxHeaderSampleChars: number;
}

/** What one held workbook item (a sheet name, a relationship, a style) costs besides its text. */
export const XLSX_ITEM_BYTES = 64;

/** The default budget per upload: 32 MiB. */
export const DEFAULT_UPLOAD_MEMORY_BYTES = 32 * 1024 * 1024;

/**
 * Derives every bound from one budget in bytes.
 *
 * @example The defaults
 * ```ts
 * import { uploadLimits } from "./limits.ts";
 * const limits = uploadLimits();
 * if (limits.maxRecordBytes !== 16 * 1024 * 1024) throw new Error("unexpected");
 * ```
 */
export function uploadLimits(memoryBytes: number = DEFAULT_UPLOAD_MEMORY_BYTES): UploadLimits {
  // A record is held as text while parsed and again as its fields, so it gets half the budget.
  const maxRecordBytes = Math.floor(memoryBytes / 2);
  return Object.freeze({
    memoryBytes,
    maxFieldBytes: Math.min(16 * 1024 * 1024, maxRecordBytes),
    maxRecordBytes,
    maxColumns: 20_000,
    // Shared strings are held next to the batch of records: they get the other half.
    maxSharedStringsBytes: Math.floor(memoryBytes / 2),
    maxWorkbookInfoBytes: Math.floor(memoryBytes / 8),
    // Real writers' workbooks inflate 3–40×; deflate can reach 1,032×.
    maxInflateRatio: 100,
    inflateSlackBytes: Math.floor(memoryBytes / 8),
    maxXmlDepth: 256,
    // Parsed objects take several times their text, and the sample is held with a record.
    maxHeaderSampleChars: Math.floor(memoryBytes / 8),
  });
}

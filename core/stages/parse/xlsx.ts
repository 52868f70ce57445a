/**
 * Excel workbooks (XLSX) as records: the chosen sheet's rows, streamed, with the header first,
 * exactly like the CSV parser's output. Only the sheet streams; shared strings and styles are
 * read first and held (compactly: `shared_strings.ts`).
 *
 * Every part is read through the upload's {@linkcode UploadLimits}: all parts together inflate to
 * at most `maxInflateRatio` times the file (counted as they inflate, whatever the ZIP directory
 * declares), the shared strings and the workbook's other held items each stay within their share
 * of the budget, and a cell, a row or an XML tag within the field and record bounds. Past any of
 * them the workbook is `limit_exceeded`, before the memory or time it would take is spent.
 * Element and attribute names are resolved through their XML namespaces, so any prefix works.
 *
 * Cells come through as a person sees them: shared and inline strings as text, numbers as
 * written, booleans `true`/`false`, formula cells by their cached value, and numbers in a date
 * format converted from Excel's serial days to `YYYY-MM-DD` (or `YYYY-MM-DDTHH:MM:SS` with a
 * time). A blank cell inside the header (a merged or missing header) is a `header_error`.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { IngestError } from "../../errors.ts";
import type { SourceRecord } from "./source_record.ts";
import { type UploadLimits, uploadLimits, XLSX_ITEM_BYTES } from "../../limits.ts";
import type { ByteSource } from "../../ports.ts";
import { SharedStrings } from "./xlsx/shared_strings.ts";
import {
  scanXml,
  type XmlHandler,
  XmlScanner,
  type XmlScannerOptions,
} from "./xlsx/xml_scanner.ts";
import { openEntry, readZipDirectory, type ZipEntry } from "./xlsx/zip_reader.ts";

/** How to read a workbook; every field is optional. */
export interface XlsxOptions {
  /** The sheet's name; the first sheet when absent. */
  sheet?: string;
  /** Records per yielded batch. @default {1000} */
  batchSize?: number;
  /** Most bytes all parts may expand to together (zip bombs stop here). @default {1 GiB} */
  maxExpandedBytes?: number;
  /** Called with the workbook's sheet names, in order, before any row is read. */
  onSheets?: (names: string[]) => void;
  /** The upload's bounds. @default {uploadLimits()} */
  limits?: UploadLimits;
}

// Both the transitional (ECMA-376) and the strict (ISO/IEC 29500) namespaces, by the names the
// readers below match.
const NAMESPACES: Readonly<Record<string, string>> = {
  "http://schemas.openxmlformats.org/spreadsheetml/2006/main": "",
  "http://purl.oclc.org/ooxml/spreadsheetml/main": "",
  "http://schemas.openxmlformats.org/package/2006/relationships": "",
  "http://schemas.openxmlformats.org/officeDocument/2006/relationships": "r",
  "http://purl.oclc.org/ooxml/officeDocument/relationships": "r",
};
// Deflate expands at most 1,032×: reading this many times less compressed data at a time keeps
// one inflated chunk within a field's bound.
const DEFLATE_MAX_RATIO = 1032;

// Built-in number formats that show dates or times (ECMA-376 18.8.30, plus the CJK ones).
const DATE_FORMAT_IDS = new Set([
  14,
  15,
  16,
  17,
  18,
  19,
  20,
  21,
  22,
  27,
  28,
  29,
  30,
  31,
  32,
  33,
  34,
  35,
  36,
  45,
  46,
  47,
  50,
  51,
  52,
  53,
  54,
  55,
  56,
  57,
  58,
]);
const MS_PER_DAY = 86_400_000;
// Serial day 25569 is 1970-01-01 in the 1900 date system (which counts a 29 Feb 1900 that never was).
const UNIX_EPOCH_SERIAL = 25569;

/** Streams the rows of one sheet as record batches; the first record is the header. */
export async function* parseXlsxRecords(
  source: ByteSource,
  options: XlsxOptions = {},
): AsyncGenerator<SourceRecord[]> {
  const batchSize = options.batchSize ?? 1000;
  const limits = options.limits ?? uploadLimits();
  const budget = new Budget(source.size, limits, options.maxExpandedBytes ?? 1024 ** 3);
  const entries = await readZipDirectory(source, limits.maxWorkbookInfoBytes);
  const part = (name: string) => entries.get(name);
  if (!part("xl/workbook.xml")) {
    throw new IngestError(
      "unsupported_file_type",
      "The file is a ZIP archive but not an Excel workbook (no xl/workbook.xml)",
      { detected: "zip" },
    );
  }
  const declared = [...entries.values()].reduce((sum, e) => sum + e.size, 0);
  budget.checkDeclared(declared);

  const workbook = await readWorkbook(source, entries, budget);
  options.onSheets?.(workbook.sheets.map((s) => s.name));
  const sheet = options.sheet === undefined
    ? workbook.sheets[0]
    : workbook.sheets.find((s) => s.name === options.sheet);
  if (!sheet) {
    throw new IngestError(
      "bad_request",
      options.sheet === undefined
        ? "The workbook has no sheets"
        : `The workbook has no sheet "${options.sheet}"`,
      { sheet: options.sheet ?? null, sheets: workbook.sheets.map((s) => s.name) },
    );
  }
  const sheetEntry = part(sheet.path);
  if (!sheetEntry) throw damaged(`the sheet ${sheet.name} is missing`);
  const stringsEntry = part(workbook.sharedStrings) ?? part("xl/sharedStrings.xml");
  const strings = stringsEntry
    ? await readSharedStrings(source, stringsEntry, budget)
    : new SharedStrings(0);
  const stylesEntry = part(workbook.styles) ?? part("xl/styles.xml");
  const dateStyles = stylesEntry
    ? await readDateStyles(source, stylesEntry, budget)
    : new Set<number>();

  const reader = new SheetReader(strings, dateStyles, workbook.date1904, limits);
  const scanner = new XmlScanner(reader, budget.xml);
  const stream = await openEntry(source, sheetEntry, budget.spend, budget.readChunk);
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    scanner.feed(chunk);
    if (reader.ready.length >= batchSize) {
      yield reader.ready;
      reader.ready = [];
    }
  }
  if (reader.ready.length > 0) yield reader.ready;
}

/** Turns sheet XML events into records. */
class SheetReader {
  ready: SourceRecord[] = [];
  #row = 0;
  #cells: string[] = [];
  /** The row's number cells (not dates), by column; null while it has none. */
  #numbers: boolean[] | null = null;
  #rowLength = 0;
  #column = -1;
  #type = "";
  #style = 0;
  #value = "";
  #capturing = false;
  #headerLength = -1;
  readonly #strings: SharedStrings;
  readonly #dateStyles: Set<number>;
  readonly #date1904: boolean;
  readonly #limits: UploadLimits;

  constructor(
    strings: SharedStrings,
    dateStyles: Set<number>,
    date1904: boolean,
    limits: UploadLimits,
  ) {
    this.#strings = strings;
    this.#dateStyles = dateStyles;
    this.#date1904 = date1904;
    this.#limits = limits;
  }

  open(name: string, attrs: Record<string, string>): void {
    if (name === "row") {
      this.#row = attrs.r ? Number(attrs.r) : this.#row + 1;
      this.#cells = [];
      this.#numbers = null;
      this.#rowLength = 0;
      this.#column = -1;
    } else if (name === "c") {
      this.#column = attrs.r ? columnIndex(attrs.r) : this.#column + 1;
      if (this.#column >= this.#limits.maxColumns) {
        const max = this.#limits.maxColumns;
        throw new IngestError(
          "limit_exceeded",
          `Too many columns: row ${this.#row} has a cell (${
            attrs.r ?? "unnamed"
          }) past column ${max}`,
          { limit: "maxColumns", max, row: this.#row },
        );
      }
      this.#type = attrs.t ?? "n";
      this.#style = Number(attrs.s ?? 0);
      this.#value = "";
    } else if (name === "v" || name === "t") {
      this.#capturing = true;
    }
  }

  text(text: string): void {
    if (!this.#capturing) return;
    this.#value += text;
    const max = this.#limits.maxFieldBytes;
    if (this.#value.length * 3 > max && utf8Length(this.#value) > max) {
      throw new IngestError(
        "limit_exceeded",
        `Field too large: cell ${columnName(this.#column)}${this.#row} exceeds ${max} bytes`,
        { limit: "maxFieldBytes", max, row: this.#row, column: this.#column + 1 },
      );
    }
  }

  close(name: string): void {
    if (name === "v" || name === "t") this.#capturing = false;
    else if (name === "c") this.#endCell();
    else if (name === "row") this.#endRow();
  }

  #endCell(): void {
    const cell = this.#cell();
    this.#cells[this.#column] = cell;
    if (this.#type === "n" && cell !== "" && !this.#dateStyles.has(this.#style)) {
      (this.#numbers ??= [])[this.#column] = true;
    }
    // Counted in UTF-16 code units, what the row takes in memory.
    this.#rowLength += cell.length;
    const max = this.#limits.maxRecordBytes;
    if (this.#rowLength > max) {
      throw new IngestError(
        "limit_exceeded",
        `Record too large: row ${this.#row} holds more than ${max} bytes`,
        { limit: "maxRecordBytes", max, row: this.#row },
      );
    }
  }

  #cell(): string {
    const v = this.#value;
    switch (this.#type) {
      case "s": {
        if (v.trim() === "") return ""; // a styled cell with no value
        const text = this.#strings.get(Number(v));
        if (text !== undefined) return text;
        throw new IngestError(
          "parse_error",
          `Cell ${columnName(this.#column)}${this.#row} refers to shared string ${
            JSON.stringify(v)
          }, which the workbook does not have (it has ${this.#strings.size})`,
          { row: this.#row, column: this.#column + 1, index: v, sharedStrings: this.#strings.size },
        );
      }
      case "b":
        return v === "1" ? "true" : v === "0" ? "false" : v;
      case "n":
        return v !== "" && this.#dateStyles.has(this.#style)
          ? serialToIso(Number(v), this.#date1904)
          : v;
      default: // str (formula text), inlineStr, e (#N/A…), d (ISO date)
        return v;
    }
  }

  #endRow(): void {
    const fields = Array.from(this.#cells, (c) => c ?? "");
    while (fields.length > 0 && fields[fields.length - 1] === "") fields.pop();
    if (fields.length === 0) return; // blank rows are skipped, as in CSV
    if (this.#headerLength < 0) {
      const blank = fields.flatMap((f, i) => f.trim() === "" ? [columnName(i)] : []);
      if (blank.length > 0) {
        throw new IngestError(
          "header_error",
          `The header row (row ${this.#row}) has blank cells in column ${blank.join(", ")}; ` +
            "give every column a name (merged header cells count as blank)",
          { row: this.#row, blank },
        );
      }
      this.#headerLength = fields.length;
    } else {
      // Excel leaves trailing empty cells out; a short row is not a ragged one.
      while (fields.length < this.#headerLength) fields.push("");
    }
    const record: SourceRecord = { row: this.#row, line: this.#row, fields };
    const numbers = this.#numbers;
    if (numbers) record.numbers = Array.from(fields, (_, i) => numbers[i] === true);
    this.ready.push(record);
  }
}

interface Workbook {
  sheets: Array<{ name: string; path: string }>;
  date1904: boolean;
  /** Where the shared strings and styles are, by the workbook's relationships. */
  sharedStrings: string;
  styles: string;
}

const RELATIONSHIP_TYPE = /\/(sharedStrings|styles)$/;

async function readWorkbook(
  source: ByteSource,
  entries: Map<string, ZipEntry>,
  budget: Budget,
): Promise<Workbook> {
  const sheets: Array<{ name: string; rel: string }> = [];
  let date1904 = false;
  await scanPart(source, entries.get("xl/workbook.xml")!, budget, {
    open(name, attrs) {
      if (name === "sheet") {
        const sheet = { name: attrs.name ?? "", rel: attrs["r:id"] ?? "" };
        budget.hold(sheet.name.length + sheet.rel.length);
        sheets.push(sheet);
      }
      if (name === "workbookPr") date1904 = attrs.date1904 === "1" || attrs.date1904 === "true";
    },
  });
  const targets = new Map<string, string>();
  const byType: Record<string, string> = {};
  const rels = entries.get("xl/_rels/workbook.xml.rels");
  if (rels) {
    await scanPart(source, rels, budget, {
      open(name, attrs) {
        if (name !== "Relationship" || !attrs.Id || !attrs.Target) return;
        budget.hold(attrs.Id.length + attrs.Target.length);
        targets.set(attrs.Id, attrs.Target);
        const type = RELATIONSHIP_TYPE.exec(attrs.Type ?? "")?.[1];
        if (type) byType[type] = partPath(attrs.Target);
      },
    });
  }
  return {
    date1904,
    sheets: sheets.map((s, i) => ({
      name: s.name,
      path: partPath(targets.get(s.rel) ?? `worksheets/sheet${i + 1}.xml`),
    })),
    sharedStrings: byType.sharedStrings ?? "xl/sharedStrings.xml",
    styles: byType.styles ?? "xl/styles.xml",
  };
}

/** A relationship's target (relative to `xl/`, or absolute) as a path in the archive. */
function partPath(target: string): string {
  return target.startsWith("/") ? target.slice(1) : `xl/${target}`;
}

async function readSharedStrings(
  source: ByteSource,
  entry: ZipEntry,
  budget: Budget,
): Promise<SharedStrings> {
  const strings = new SharedStrings(budget.limits.maxSharedStringsBytes);
  const maxField = budget.limits.maxFieldBytes;
  let current = "";
  let inText = false;
  let phonetic = 0;
  await scanPart(source, entry, budget, {
    open(name, _attrs, selfClosing) {
      if (name === "si") current = "";
      else if (name === "rPh") phonetic += selfClosing ? 0 : 1;
      else if (name === "t" && !selfClosing) inText = phonetic === 0;
    },
    text(text) {
      if (!inText) return;
      current += text;
      if (current.length * 3 > maxField && utf8Length(current) > maxField) {
        throw new IngestError(
          "limit_exceeded",
          `Field too large: shared string ${strings.size} exceeds ${maxField} bytes`,
          { limit: "maxFieldBytes", max: maxField, sharedString: strings.size },
        );
      }
    },
    close(name) {
      if (name === "t") inText = false;
      else if (name === "rPh") phonetic = Math.max(0, phonetic - 1);
      else if (name === "si") strings.add(current);
    },
  });
  return strings;
}

/** The indexes of cell styles (`cellXfs`) that show numbers as dates or times. */
async function readDateStyles(
  source: ByteSource,
  entry: ZipEntry,
  budget: Budget,
): Promise<Set<number>> {
  const customDates = new Set<number>();
  const styles = new Set<number>();
  let inCellXfs = false;
  let index = 0;
  await scanPart(source, entry, budget, {
    open(name, attrs) {
      if (name === "numFmt" && isDateFormat(attrs.formatCode ?? "")) {
        budget.hold(0);
        customDates.add(Number(attrs.numFmtId));
      } else if (name === "cellXfs") {
        inCellXfs = true;
      } else if (name === "xf" && inCellXfs) {
        const id = Number(attrs.numFmtId ?? 0);
        if (DATE_FORMAT_IDS.has(id) || customDates.has(id)) {
          budget.hold(0);
          styles.add(index);
        }
        index++;
      }
    },
    close(name) {
      if (name === "cellXfs") inCellXfs = false;
    },
  });
  return styles;
}

/** Returns true when a number format code shows a date or time. */
export function isDateFormat(code: string): boolean {
  // Quoted text, escaped characters and [colour]/[condition] sections are not date parts.
  const bare = code.replace(/"[^"]*"|\\.|\[(?!h\]|m\]|s\])[^\]]*\]/gi, "");
  return /[dmyhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

/** An Excel serial day number as an ISO date (or date-time when it has a time of day). */
export function serialToIso(serial: number, date1904 = false): string {
  const days = date1904 ? serial + 1462 : serial;
  const ms = Math.round((days - UNIX_EPOCH_SERIAL) * MS_PER_DAY / 1000) * 1000;
  const iso = new Date(ms).toISOString();
  return ms % MS_PER_DAY === 0 ? iso.slice(0, 10) : iso.slice(0, 19);
}

/** `B7` → 1 (zero-based column of a cell reference). */
function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

/** 1 → `B`. */
function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

async function scanPart(
  source: ByteSource,
  entry: ZipEntry,
  budget: Budget,
  handler: XmlHandler,
): Promise<void> {
  await scanXml(
    await openEntry(source, entry, budget.spend, budget.readChunk),
    handler,
    budget.xml,
  );
}

/** What one workbook may spend: inflated bytes for all its parts, and items held. */
class Budget {
  readonly limits: UploadLimits;
  /** How the scanner reads every part: names through namespaces, tags and nesting bounded. */
  readonly xml: XmlScannerOptions;
  /** Compressed bytes read at a time (see DEFLATE_MAX_RATIO). */
  readonly readChunk: number;
  #inflated = 0;
  #held = 0;
  readonly #fileBytes: number;
  readonly #maxExpanded: number;
  readonly #maxInflated: number;

  constructor(fileBytes: number, limits: UploadLimits, maxExpandedBytes: number) {
    this.limits = limits;
    this.xml = {
      namespaces: NAMESPACES,
      maxTokenLength: limits.maxFieldBytes,
      maxDepth: limits.maxXmlDepth,
    };
    this.readChunk = Math.max(
      1024,
      Math.min(64 * 1024, Math.floor(limits.maxFieldBytes / 4 / DEFLATE_MAX_RATIO)),
    );
    this.#fileBytes = fileBytes;
    this.#maxExpanded = maxExpandedBytes;
    this.#maxInflated = limits.maxInflateRatio * fileBytes + limits.inflateSlackBytes;
  }

  /** Refuses a directory that declares more than the upload limit allows. */
  checkDeclared(bytes: number): void {
    if (bytes > this.#maxExpanded) this.#tooLarge("the sizes its directory declares");
  }

  /** Counts inflated bytes as they come; throws past either bound. */
  readonly spend = (bytes: number): void => {
    this.#inflated += bytes;
    if (this.#inflated > this.#maxExpanded) this.#tooLarge("its content");
    if (this.#inflated > this.#maxInflated) {
      const { maxInflateRatio } = this.limits;
      throw new IngestError(
        "limit_exceeded",
        `The workbook inflates past ${this.#maxInflated} bytes, ${maxInflateRatio} times its ` +
          `${this.#fileBytes} bytes plus ${this.limits.inflateSlackBytes}; honest workbooks ` +
          "inflate far less, so it may be a zip bomb",
        { limit: "maxInflateRatio", max: maxInflateRatio, maxInflatedBytes: this.#maxInflated },
      );
    }
  };

  /** Counts one held item (a sheet, a relationship, a date style) and its text. */
  hold(textLength: number): void {
    this.#held += XLSX_ITEM_BYTES + textLength;
    const max = this.limits.maxWorkbookInfoBytes;
    if (this.#held <= max) return;
    throw new IngestError(
      "limit_exceeded",
      `The workbook's sheets, relationships and styles take more than ${max} bytes`,
      { limit: "maxWorkbookInfoBytes", max },
    );
  }

  #tooLarge(what: string): never {
    throw new IngestError(
      "file_too_large",
      `The workbook expands past ${this.#maxExpanded} bytes (${what}); it may be a zip bomb`,
      { maxExpandedBytes: this.#maxExpanded },
    );
  }
}

/** Length of `s` in UTF-8 bytes. */
function utf8Length(s: string): number {
  return encoder.encode(s).length;
}

const encoder = new TextEncoder();

function damaged(why: string): IngestError {
  return new IngestError("unsupported_file_type", `The workbook is damaged: ${why}`, {
    detected: "xlsx",
  });
}

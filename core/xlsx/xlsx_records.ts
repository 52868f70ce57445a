/**
 * Excel workbooks (XLSX) as records: the chosen sheet's rows, streamed, with the header first,
 * exactly like the CSV parser's output. Only the sheet streams; shared strings and styles are
 * read first (they are small next to the sheet, and bounded by the expansion limit).
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
import { IngestError } from "../errors.ts";
import type { CsvRecord } from "../csv/parser.ts";
import type { ByteSource } from "./byte_source.ts";
import { scanXml, XmlScanner } from "./xml_scanner.ts";
import { openEntry, readZipDirectory, type ZipEntry } from "./zip_reader.ts";

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
}

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
): AsyncGenerator<CsvRecord[]> {
  const batchSize = options.batchSize ?? 1000;
  const budget = new Budget(options.maxExpandedBytes ?? 1024 ** 3);
  const entries = await readZipDirectory(source);
  const part = (name: string) => entries.get(name);
  if (!part("xl/workbook.xml")) {
    throw new IngestError(
      "unsupported_file_type",
      "The file is a ZIP archive but not an Excel workbook (no xl/workbook.xml)",
      { detected: "zip" },
    );
  }
  const declared = [...entries.values()].reduce((sum, e) => sum + e.size, 0);
  budget.check(declared, "the sizes its directory declares");

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
  const strings = part("xl/sharedStrings.xml")
    ? await readSharedStrings(source, part("xl/sharedStrings.xml")!, budget)
    : [];
  const dateStyles = part("xl/styles.xml")
    ? await readDateStyles(source, part("xl/styles.xml")!, budget)
    : new Set<number>();

  const reader = new SheetReader(strings, dateStyles, workbook.date1904);
  const scanner = new XmlScanner(reader);
  const stream = await openEntry(source, sheetEntry, budget.spend);
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
  ready: CsvRecord[] = [];
  #row = 0;
  #cells: string[] = [];
  #column = -1;
  #type = "";
  #style = 0;
  #value = "";
  #capturing = false;
  #headerLength = -1;
  readonly #strings: string[];
  readonly #dateStyles: Set<number>;
  readonly #date1904: boolean;

  constructor(strings: string[], dateStyles: Set<number>, date1904: boolean) {
    this.#strings = strings;
    this.#dateStyles = dateStyles;
    this.#date1904 = date1904;
  }

  open(name: string, attrs: Record<string, string>): void {
    if (name === "row") {
      this.#row = attrs.r ? Number(attrs.r) : this.#row + 1;
      this.#cells = [];
      this.#column = -1;
    } else if (name === "c") {
      this.#column = attrs.r ? columnIndex(attrs.r) : this.#column + 1;
      this.#type = attrs.t ?? "n";
      this.#style = Number(attrs.s ?? 0);
      this.#value = "";
    } else if (name === "v" || name === "t") {
      this.#capturing = true;
    }
  }

  text(text: string): void {
    if (this.#capturing) this.#value += text;
  }

  close(name: string): void {
    if (name === "v" || name === "t") this.#capturing = false;
    else if (name === "c") this.#cells[this.#column] = this.#cell();
    else if (name === "row") this.#endRow();
  }

  #cell(): string {
    const v = this.#value;
    switch (this.#type) {
      case "s":
        return this.#strings[Number(v)] ?? "";
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
    this.ready.push({ row: this.#row, line: this.#row, fields });
  }
}

interface Workbook {
  sheets: Array<{ name: string; path: string }>;
  date1904: boolean;
}

async function readWorkbook(
  source: ByteSource,
  entries: Map<string, ZipEntry>,
  budget: Budget,
): Promise<Workbook> {
  const sheets: Array<{ name: string; rel: string }> = [];
  let date1904 = false;
  await scanPart(source, entries.get("xl/workbook.xml")!, budget, {
    open(name, attrs) {
      if (name === "sheet") sheets.push({ name: attrs.name, rel: attrs["r:id"] });
      if (name === "workbookPr") date1904 = attrs.date1904 === "1" || attrs.date1904 === "true";
    },
  });
  const targets = new Map<string, string>();
  const rels = entries.get("xl/_rels/workbook.xml.rels");
  if (rels) {
    await scanPart(source, rels, budget, {
      open(name, attrs) {
        if (name === "Relationship") targets.set(attrs.Id, attrs.Target);
      },
    });
  }
  return {
    date1904,
    sheets: sheets.map((s, i) => {
      const target = targets.get(s.rel) ?? `worksheets/sheet${i + 1}.xml`;
      return { name: s.name, path: target.startsWith("/") ? target.slice(1) : `xl/${target}` };
    }),
  };
}

async function readSharedStrings(
  source: ByteSource,
  entry: ZipEntry,
  budget: Budget,
): Promise<string[]> {
  const strings: string[] = [];
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
      if (inText) current += text;
    },
    close(name) {
      if (name === "t") inText = false;
      else if (name === "rPh") phonetic = Math.max(0, phonetic - 1);
      else if (name === "si") strings.push(current);
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
        customDates.add(Number(attrs.numFmtId));
      } else if (name === "cellXfs") {
        inCellXfs = true;
      } else if (name === "xf" && inCellXfs) {
        const id = Number(attrs.numFmtId ?? 0);
        if (DATE_FORMAT_IDS.has(id) || customDates.has(id)) styles.add(index);
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
  handler: Parameters<typeof scanXml>[1],
): Promise<void> {
  await scanXml(await openEntry(source, entry, budget.spend), handler);
}

/** The expansion allowance shared by every part of one workbook. */
class Budget {
  #left: number;
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
    this.#left = max;
  }

  /** Counts inflated bytes; throws `file_too_large` past the limit. */
  readonly spend = (bytes: number): void => {
    this.check(this.#max - this.#left + bytes, "its content");
    this.#left -= bytes;
  };

  check(bytes: number, what: string): void {
    if (bytes <= this.#max) return;
    throw new IngestError(
      "file_too_large",
      `The workbook expands past ${this.#max} bytes (${what}); it may be a zip bomb`,
      { maxExpandedBytes: this.#max },
    );
  }
}

function damaged(why: string): IngestError {
  return new IngestError("unsupported_file_type", `The workbook is damaged: ${why}`, {
    detected: "xlsx",
  });
}

/**
 * Workbooks made by real writers at test time, for the reader's tests: LibreOffice (headless
 * `soffice --convert-to xlsx` of a flat ODS we write), exceljs and SheetJS (npm), and a rewrite of
 * any workbook into prefixed SpreadsheetML (`x:worksheet`…), as the Open XML SDK writes it.
 *
 * Each writer takes a {@linkcode Table}; {@linkcode TABLE} has shared or inline strings with
 * markup characters, a date in a date format, a boolean, and a formula with its cached value.
 *
 * @module
 */
import ExcelJS from "exceljs";
import * as XLSX from "xlsx";
import { memorySpool } from "../core/stages/parse/xlsx/byte_source.ts";
import { openEntry, readZipDirectory } from "../core/stages/parse/xlsx/zip_reader.ts";
import { zip } from "./xlsx_writer.ts";

/** A cell as a writer gets it; `{ formula, value }` is a formula with its cached value. */
export type Cell = string | number | boolean | Date | null | { formula: string; value: number };

/** A sheet to write: a header and rows; `rich` makes a writer that can write the first
 * string cell of the first data row as rich text (two runs). */
export interface Table {
  header: string[];
  rows: Cell[][];
}

/** The table the unit tests write with every writer. */
export const TABLE: Table = {
  header: ["Facility ID", "Name", "Opened on", "Active", "Capacity"],
  rows: [
    ["ABC-000001", "North & <Plant>", new Date(Date.UTC(2001, 1, 3)), true, {
      formula: "1+2",
      value: 3,
    }],
    ["ABC-000002", "South Plant", new Date(Date.UTC(1999, 11, 31)), false, {
      formula: "8*5",
      value: 40,
    }],
  ],
};

/** What the reader must read from {@linkcode TABLE} (LibreOffice's booleans: see there). */
export const TABLE_READ = [
  TABLE.header,
  ["ABC-000001", "North & <Plant>", "2001-02-03", "true", "3"],
  ["ABC-000002", "South Plant", "1999-12-31", "false", "40"],
];

/** exceljs: shared strings (the first string of row 2 as rich text), a date format, booleans
 * and formulas. */
export async function excelJsWorkbook(table: Table = TABLE): Promise<Uint8Array<ArrayBuffer>> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet("Facilities");
  sheet.addRow(table.header);
  table.rows.forEach((row, r) => {
    let rich = r === 0;
    sheet.addRow(row.map((cell) => {
      if (cell && typeof cell === "object" && "formula" in cell) {
        return { formula: cell.formula, result: cell.value };
      }
      if (typeof cell === "string" && rich && cell.length > 1) {
        rich = false;
        const half = Math.ceil(cell.length / 2);
        return {
          richText: [{ text: cell.slice(0, half) }, {
            text: cell.slice(half),
            font: { bold: true },
          }],
        };
      }
      return cell;
    }));
    row.forEach((cell, c) => {
      if (cell instanceof Date) sheet.getCell(r + 2, c + 1).numFmt = "dd/mm/yyyy";
    });
  });
  return new Uint8Array(await book.xlsx.writeBuffer() as ArrayBuffer);
}

/** SheetJS: inline `str` cells by default, shared strings with `bookSST`. */
export function sheetJsWorkbook(bookSST: boolean, table: Table = TABLE): Uint8Array<ArrayBuffer> {
  const plain = (cell: Cell) =>
    cell && typeof cell === "object" && "formula" in cell ? cell.value : cell;
  const sheet = XLSX.utils.aoa_to_sheet([table.header, ...table.rows.map((row) => row.map(plain))]);
  table.rows.forEach((row, r) =>
    row.forEach((cell, c) => {
      if (cell && typeof cell === "object" && "formula" in cell) {
        sheet[XLSX.utils.encode_cell({ r: r + 1, c })] = { t: "n", v: cell.value, f: cell.formula };
      }
    })
  );
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, "Facilities");
  return new Uint8Array(XLSX.write(book, { type: "array", bookType: "xlsx", bookSST }));
}

/** The `soffice` on PATH, or null. */
export function findSoffice(): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const path = `${dir}/soffice`;
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not here */ }
  }
  return null;
}

/**
 * LibreOffice Calc: the table written as a flat ODS (a date style, a boolean, formulas with
 * values) and converted by `soffice --headless --convert-to xlsx`, in a profile of its own so
 * runs in parallel do not share one.
 */
export async function libreOfficeWorkbook(
  soffice: string,
  table: Table = TABLE,
): Promise<Uint8Array<ArrayBuffer>> {
  const dir = await Deno.makeTempDir({ prefix: "intake-soffice-" });
  try {
    await Deno.writeTextFile(`${dir}/book.fods`, flatOds(table));
    const out = await new Deno.Command(soffice, {
      args: [
        `-env:UserInstallation=file://${dir}/profile`,
        "--headless",
        "--convert-to",
        "xlsx",
        "--outdir",
        `${dir}/out`,
        `${dir}/book.fods`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const log = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    if (!out.success) throw new Error(`soffice failed (${out.code}): ${log}`);
    return await Deno.readFile(`${dir}/out/book.xlsx`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function flatOds(table: Table): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const text = (s: string) =>
    `<table:table-cell office:value-type="string"><text:p>${esc(s)}</text:p></table:table-cell>`;
  const cell = (c: Cell) => {
    if (c === null) return "<table:table-cell/>";
    if (typeof c === "string") return text(c);
    if (typeof c === "number") {
      return `<table:table-cell office:value-type="float" office:value="${c}"/>`;
    }
    if (typeof c === "boolean") {
      return `<table:table-cell office:value-type="boolean" office:boolean-value="${c}"/>`;
    }
    if (c instanceof Date) {
      return `<table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="${
        c.toISOString().slice(0, 10)
      }"/>`;
    }
    return `<table:table-cell table:formula="of:=${
      esc(c.formula)
    }" office:value-type="float" office:value="${c.value}"/>`;
  };
  const rows = table.rows.map((row) =>
    `<table:table-row>${row.map(cell).join("")}</table:table-row>`
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles><number:date-style style:name="N1"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style><style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/></office:automatic-styles>
<office:body><office:spreadsheet><table:table table:name="Facilities"><table:table-row>${
    table.header.map(text).join("")
  }</table:table-row>${
    rows.join("")
  }</table:table></office:spreadsheet></office:body></office:document>`;
}

/** The parts of a workbook, inflated (read with the reader's own ZIP code). */
export async function unzip(
  book: Uint8Array<ArrayBuffer>,
): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
  const source = await memorySpool(new Blob([book]).stream());
  const parts = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const entry of (await readZipDirectory(source)).values()) {
    const stream = await openEntry(source, entry, () => {});
    parts.set(entry.name, new Uint8Array(await new Response(stream).arrayBuffer()));
  }
  return parts;
}

const MAIN_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';

/**
 * Rewrites a workbook's SpreadsheetML parts with prefixed names, as the Open XML SDK writes them:
 * the main namespace bound to `x:` (every unprefixed element then `x:`), and the relationships
 * namespace bound to `rel:` instead of `r:`, so `r:id` becomes `rel:id`. With `inlineStrings`,
 * shared-string cells also become inline strings (`t="inlineStr"><x:is><x:t>…`).
 */
export async function prefixedWorkbook(
  book: Uint8Array<ArrayBuffer>,
  inlineStrings = false,
): Promise<Uint8Array<ArrayBuffer>> {
  const parts = await unzip(book);
  const decoder = new TextDecoder();
  const strings = inlineStrings
    ? sharedStringItems(decoder.decode(parts.get("xl/sharedStrings.xml")))
    : [];
  const files: Array<[string, Uint8Array<ArrayBuffer>]> = [];
  for (const [name, bytes] of parts) {
    let xml = decoder.decode(bytes);
    if (name.startsWith("xl/") && name.endsWith(".xml") && xml.includes(MAIN_NS)) {
      if (inlineStrings && name.startsWith("xl/worksheets/")) {
        xml = xml.replace(
          /<c ([^>]*?)t="s"([^>]*)><v>(\d+)<\/v><\/c>/g,
          (_, a, b, i) => `<c ${a}t="inlineStr"${b}><is>${strings[Number(i)]}</is></c>`,
        );
      }
      xml = xml
        .replace(MAIN_NS, 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
        .replace(/<(\/?)([A-Za-z][\w.-]*)(?=[\s/>])/g, "<$1x:$2")
        .replace(/xmlns:r=/g, "xmlns:rel=")
        .replace(/ r:id=/g, " rel:id=");
    }
    files.push([name, new TextEncoder().encode(xml)]);
  }
  return await zip(files);
}

/** The inner XML of each `<si>` of a shared-string table. */
function sharedStringItems(xml: string): string[] {
  return [...xml.matchAll(/<si>(.*?)<\/si>/gs)].map((m) => m[1]);
}

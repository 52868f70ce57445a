/**
 * Writes small-to-large XLSX workbooks for tests and benchmarks: shared strings, numbers,
 * booleans, dates (a date-formatted style) and formulas with cached values, in a real ZIP with
 * deflated parts. Shared strings are stored after the sheets, as Excel does, so readers that
 * assume otherwise fail.
 *
 * @module
 */

/** A cell value; `{ formula, value }` writes a formula with its cached result. */
export type XlsxCell = string | number | boolean | Date | null | { formula: string; value: number };

/** One sheet of a workbook. */
export interface XlsxSheet {
  name: string;
  rows: Iterable<XlsxCell[]>;
  /** Merged ranges such as `A1:B1`. */
  merges?: string[];
}

const enc = new TextEncoder();

/** Builds the bytes of an .xlsx file with the given sheets. */
export async function writeXlsx(sheets: XlsxSheet[]): Promise<Uint8Array<ArrayBuffer>> {
  const strings = new Map<string, number>();
  const sheetXml = sheets.map((sheet) => sheetPart(sheet, strings));
  const files: Array<[string, string]> = [
    ["[Content_Types].xml", contentTypes(sheets.length)],
    ["_rels/.rels", rels([["rId1", "xl/workbook.xml", "officeDocument"]])],
    ["xl/workbook.xml", workbook(sheets)],
    [
      "xl/_rels/workbook.xml.rels",
      rels([
        ...sheets.map((_, i) => [`rId${i + 1}`, `worksheets/sheet${i + 1}.xml`, "worksheet"]),
        [`rId${sheets.length + 1}`, "styles.xml", "styles"],
        [`rId${sheets.length + 2}`, "sharedStrings.xml", "sharedStrings"],
      ] as Array<[string, string, string]>),
    ],
    ["xl/styles.xml", STYLES],
    ...sheetXml.map((xml, i) => [`xl/worksheets/sheet${i + 1}.xml`, xml] as [string, string]),
    ["xl/sharedStrings.xml", sharedStrings(strings)],
  ];
  return await zip(files.map(([name, text]) => [name, enc.encode(text)]));
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
// Style 0: general; 1: built-in date (14); 2: custom date-time format 164.
const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet ${NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/></numFmts>
<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" xfId="0"/><xf numFmtId="14" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function column(i: number): string {
  let name = "";
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

function sheetPart(sheet: XlsxSheet, strings: Map<string, number>): string {
  const out = [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet ${NS}><sheetData>`,
  ];
  let r = 0;
  for (const row of sheet.rows) {
    r++;
    const cells: string[] = [];
    row.forEach((value, i) => {
      const ref = `${column(i)}${r}`;
      if (value === null || value === "") return;
      if (typeof value === "string") {
        if (!strings.has(value)) strings.set(value, strings.size);
        cells.push(`<c r="${ref}" t="s"><v>${strings.get(value)}</v></c>`);
      } else if (typeof value === "number") {
        cells.push(`<c r="${ref}"><v>${value}</v></c>`);
      } else if (typeof value === "boolean") {
        cells.push(`<c r="${ref}" t="b"><v>${value ? 1 : 0}</v></c>`);
      } else if (value instanceof Date) {
        const serial = value.getTime() / 86_400_000 + 25569;
        const style = Number.isInteger(serial) ? 1 : 2;
        cells.push(`<c r="${ref}" s="${style}"><v>${serial}</v></c>`);
      } else {
        cells.push(`<c r="${ref}"><f>${escape(value.formula)}</f><v>${value.value}</v></c>`);
      }
    });
    out.push(`<row r="${r}">${cells.join("")}</row>`);
  }
  out.push("</sheetData>");
  if (sheet.merges?.length) {
    out.push(`<mergeCells count="${sheet.merges.length}">`);
    for (const ref of sheet.merges) out.push(`<mergeCell ref="${ref}"/>`);
    out.push("</mergeCells>");
  }
  out.push("</worksheet>");
  return out.join("");
}

function sharedStrings(strings: Map<string, number>): string {
  const items = [...strings.keys()].map((s) => `<si><t xml:space="preserve">${escape(s)}</t></si>`);
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst ${NS} count="${items.length}" uniqueCount="${items.length}">${
    items.join("")
  }</sst>`;
}

function workbook(sheets: XlsxSheet[]): string {
  const list = sheets.map((s, i) =>
    `<sheet name="${escape(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`
  );
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook ${NS} ${R_NS}><sheets>${
    list.join("")
  }</sheets></workbook>`;
}

function rels(items: Array<[string, string, string]>): string {
  const base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
  const list = items.map(([id, target, type]) =>
    `<Relationship Id="${id}" Type="${base}${type}" Target="${target}"/>`
  );
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${
    list.join("")
  }</Relationships>`;
}

function contentTypes(sheetCount: number): string {
  const sheets = Array.from(
    { length: sheetCount },
    (_, i) =>
      `<Override PartName="/xl/worksheets/sheet${
        i + 1
      }.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
  );
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${
    sheets.join("")
  }</Types>`;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function deflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A ZIP archive of deflated entries (what every XLSX is). */
export async function zip(
  files: Array<[string, Uint8Array<ArrayBuffer>]>,
): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  const central: Uint8Array<ArrayBuffer>[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = enc.encode(name);
    const packed = await deflate(data);
    const crc = crc32(data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, 8, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, packed.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, nameBytes.length, true);
    parts.push(new Uint8Array(local.buffer), nameBytes, packed);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(4, 20, true);
    entry.setUint16(6, 20, true);
    entry.setUint16(10, 8, true);
    entry.setUint32(16, crc, true);
    entry.setUint32(20, packed.length, true);
    entry.setUint32(24, data.length, true);
    entry.setUint16(28, nameBytes.length, true);
    entry.setUint32(42, offset, true);
    central.push(new Uint8Array(entry.buffer), nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const dirSize = central.reduce((n, b) => n + b.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, dirSize, true);
  end.setUint32(16, offset, true);
  return new Uint8Array(
    await new Blob([...parts, ...central, new Uint8Array(end.buffer)]).arrayBuffer(),
  );
}

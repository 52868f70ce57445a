/**
 * Hostile workbooks, built at test time: small files that inflate to hundreds of megabytes or
 * gigabytes of XML, or hold tens of millions of shared strings, or lie in their ZIP directory.
 * Each was able to take the server down (issue 25); the reader must now stop each with
 * `limit_exceeded` in bounded memory and time. Sizes are parameters, so unit tests use small
 * ones with a small budget and the end-to-end corpus the issue's own.
 *
 * Parts stream through `CompressionStream("deflate-raw")` from repeated chunks, so building a
 * 1.9 GB sheet holds about 1 MiB of it at a time and takes a second or two. CRCs are left 0: the
 * reader does not check them (it stops long before an entry's end), and computing them would cost
 * seconds per gigabyte.
 *
 * @module
 */

const enc = new TextEncoder();
const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

/** A part's content: called once, it yields the bytes in order. */
export type PartContent = () => Iterable<Uint8Array<ArrayBuffer>>;

/** One file of a hostile archive. */
export interface HostilePart {
  name: string;
  content: PartContent;
  /** The size the ZIP headers declare; the true inflated size when absent. */
  declaredSize?: number;
}

/** `text` once, as part content. */
export function once(text: string): PartContent {
  return () => [enc.encode(text)];
}

/** `before`, then `unit` repeated `times` times (in chunks of about 1 MiB), then `after`. */
export function repeated(before: string, unit: string, times: number, after = ""): PartContent {
  return function* () {
    yield enc.encode(before);
    const perChunk = Math.max(1, Math.floor((1 << 20) / Math.max(1, unit.length)));
    const chunk = enc.encode(unit.repeat(Math.min(perChunk, times)));
    let left = times;
    while (left >= perChunk) {
      yield chunk;
      left -= perChunk;
    }
    if (left > 0) yield enc.encode(unit.repeat(left));
    yield enc.encode(after);
  };
}

/** A ZIP of deflated parts, streamed as they are compressed; see the module doc on CRCs. */
export async function hostileZip(parts: HostilePart[]): Promise<Uint8Array<ArrayBuffer>> {
  const out: Uint8Array<ArrayBuffer>[] = [];
  const central: Uint8Array<ArrayBuffer>[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = enc.encode(part.name);
    const { packed, size } = await deflate(part.content);
    const declared = part.declaredSize ?? size;
    const packedLength = packed.reduce((n, c) => n + c.length, 0);
    // Sizes past 4 GiB would need ZIP64; keep the low bits like a careless writer.
    const local = header(30, 0x04034b50, [[4, 20, 2], [8, 8, 2], [18, packedLength, 4], [
      22,
      declared >>> 0,
      4,
    ], [26, name.length, 2]]);
    out.push(local, name, ...packed);
    central.push(
      header(46, 0x02014b50, [
        [4, 20, 2],
        [6, 20, 2],
        [10, 8, 2],
        [20, packedLength, 4],
        [
          24,
          declared >>> 0,
          4,
        ],
        [28, name.length, 2],
        [42, offset, 4],
      ]),
      name,
    );
    offset += local.length + name.length + packedLength;
  }
  const dirSize = central.reduce((n, b) => n + b.length, 0);
  const end = header(22, 0x06054b50, [[8, parts.length, 2], [10, parts.length, 2], [
    12,
    dirSize,
    4,
  ], [16, offset, 4]]);
  return new Uint8Array(await new Blob([...out, ...central, end]).arrayBuffer());
}

function header(
  length: number,
  signature: number,
  fields: Array<[number, number, 2 | 4]>,
): Uint8Array<ArrayBuffer> {
  const view = new DataView(new ArrayBuffer(length));
  view.setUint32(0, signature, true);
  for (const [at, value, width] of fields) {
    if (width === 2) view.setUint16(at, value, true);
    else view.setUint32(at, value, true);
  }
  return new Uint8Array(view.buffer);
}

async function deflate(content: PartContent) {
  const stream = new CompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  const packed: Uint8Array<ArrayBuffer>[] = [];
  const reading = (async () => {
    for await (const chunk of stream.readable) packed.push(chunk as Uint8Array<ArrayBuffer>);
  })();
  let size = 0;
  for (const chunk of content()) {
    size += chunk.length;
    await writer.write(chunk);
  }
  await writer.close();
  await reading;
  return { packed, size };
}

/** What a hostile workbook holds besides its boilerplate. */
export interface HostileWorkbook {
  /** The sheet's XML; a one-cell sheet when absent. */
  sheet?: PartContent;
  /** `xl/sharedStrings.xml`, when the workbook has one. */
  sharedStrings?: PartContent;
  /** The sheet's size as the ZIP headers declare it (a lying directory). */
  declaredSheetSize?: number;
}

/** A workbook of one sheet with the given parts. */
export function hostileWorkbook(parts: HostileWorkbook): Promise<Uint8Array<ArrayBuffer>> {
  const rels = (items: string) =>
    `${HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${items}</Relationships>`;
  const rel = (id: string, type: string, target: string) =>
    `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/>`;
  return hostileZip([
    {
      name: "[Content_Types].xml",
      content: once(
        `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
      ),
    },
    { name: "_rels/.rels", content: once(rels(rel("rId1", "officeDocument", "xl/workbook.xml"))) },
    {
      name: "xl/workbook.xml",
      content: once(
        `${HEAD}<workbook xmlns="${MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      content: once(rels(
        rel("rId1", "worksheet", "worksheets/sheet1.xml") +
          (parts.sharedStrings ? rel("rId2", "sharedStrings", "sharedStrings.xml") : ""),
      )),
    },
    ...(parts.sharedStrings
      ? [{ name: "xl/sharedStrings.xml", content: parts.sharedStrings }]
      : []),
    {
      name: "xl/worksheets/sheet1.xml",
      content: parts.sheet ?? once(sheetXml("")),
      declaredSize: parts.declaredSheetSize,
    },
  ]);
}

/** A sheet whose header row is `id` (an inline string) followed by `rest` (rows or anything). */
function sheetXml(rest: string, after = ""): string {
  return `${HEAD}<worksheet xmlns="${MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>${rest}${after}`;
}

const SHEET_END = "</sheetData></worksheet>";

/** A sheet holding `bytes` spaces between two elements (the scanner once kept them all). */
export function spacesWorkbook(bytes: number): Promise<Uint8Array<ArrayBuffer>> {
  return hostileWorkbook({ sheet: repeated(sheetXml(""), " ", bytes, SHEET_END) });
}

/** A sheet holding `bytes` bytes of `<x/>` elements: no rows, only work. */
export function elementsWorkbook(bytes: number): Promise<Uint8Array<ArrayBuffer>> {
  return hostileWorkbook({
    sheet: repeated(sheetXml(""), "<x/>", Math.ceil(bytes / 4), SHEET_END),
  });
}

/** Shared strings of `length` characters each, `bytes` of them in all (a sheet uses the first). */
export function bigSharedStringsWorkbook(
  bytes: number,
  length = 1000,
): Promise<Uint8Array<ArrayBuffer>> {
  const item = `<si><t>${"x".repeat(length)}</t></si>`;
  return hostileWorkbook({
    sharedStrings: repeated(
      `${HEAD}<sst xmlns="${MAIN}">`,
      item,
      Math.ceil(bytes / item.length),
      "</sst>",
    ),
    sheet: once(sheetXml('<row r="2"><c r="A2" t="s"><v>0</v></c></row>', SHEET_END)),
  });
}

/** `count` one-character shared strings (each cheap in the file, dear as a JS string). */
export function manySharedStringsWorkbook(count: number): Promise<Uint8Array<ArrayBuffer>> {
  return hostileWorkbook({
    sharedStrings: repeated(`${HEAD}<sst xmlns="${MAIN}">`, "<si><t>a</t></si>", count, "</sst>"),
    sheet: once(sheetXml('<row r="2"><c r="A2" t="s"><v>0</v></c></row>', SHEET_END)),
  });
}

/**
 * A sheet that inflates to `bytes` (spaces) while the ZIP directory and local header declare
 * `declared` bytes.
 */
export function lyingDirectoryWorkbook(
  bytes: number,
  declared = 1000,
): Promise<Uint8Array<ArrayBuffer>> {
  return hostileWorkbook({
    sheet: repeated(sheetXml(""), " ", bytes, SHEET_END),
    declaredSheetSize: declared,
  });
}

/** A cell (B2) that refers to shared string 5 of a table holding one. */
export function badSharedStringIndexWorkbook(): Promise<Uint8Array<ArrayBuffer>> {
  return hostileWorkbook({
    sharedStrings: once(`${HEAD}<sst xmlns="${MAIN}"><si><t>name</t></si></sst>`),
    sheet: once(sheetXml(
      '<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c><c r="B2" t="s"><v>5</v></c></row>',
      SHEET_END,
    )),
  });
}

/**
 * Every issue-25 shape at the issue's sizes (inflated), name → builder; each takes about a second
 * to build. Our deflate packs `<x/>` about 200× where the issue's file packed it 1,000×, so that
 * shape is 200 MB here: the same file size, so the same bound and the same work.
 */
export const ISSUE_25_SHAPES: Record<string, () => Promise<Uint8Array<ArrayBuffer>>> = {
  "300 MB of spaces in the sheet": () => spacesWorkbook(300e6),
  "900 MB of shared strings": () => bigSharedStringsWorkbook(900e6),
  "40 million tiny shared strings": () => manySharedStringsWorkbook(40e6),
  "a directory declaring 1,000 bytes that inflate to 1.9 GB": () => lyingDirectoryWorkbook(1.9e9),
  "200 MB of <x/> elements (a 1 MB file)": () => elementsWorkbook(200e6),
};

import { assert, assertEquals, assertMatch, assertRejects, test } from "../../tests/assert.ts";
import { type IngestError, isIngestError } from "../errors.ts";
import { decode, type Encoding, encodingNamed } from "./decode.ts";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function decodeAll(chunks: Uint8Array[], encoding?: Encoding): Promise<string> {
  let text = "";
  for await (const piece of decode(streamOf(chunks), { encoding })) text += piece;
  return text;
}

async function decodeError(chunks: Uint8Array[], encoding?: Encoding): Promise<IngestError> {
  const err = await assertRejects(() => decodeAll(chunks, encoding));
  assert(isIngestError(err), `expected an IngestError, got ${err}`);
  return err;
}

// The first 512 bytes are read whole (to sniff the file type); a pad moves the cuts past them.
const PADS = ["", "p".repeat(600)];

/** Every way to cut `bytes` in two. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const out = [[bytes]];
  for (let i = 0; i <= bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: (Uint8Array | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => Array.from(p)));

function utf16(s: string, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(2 + s.length * 2);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfeff, littleEndian);
  for (let k = 0; k < s.length; k++) view.setUint16(2 + k * 2, s.charCodeAt(k), littleEndian);
  return out;
}

test("encodingNamed() reads the names people type, in any case, and nothing else", () => {
  assertEquals(encodingNamed("UTF8"), "utf-8");
  assertEquals(encodingNamed("iso-8859-1"), "latin1");
  assertEquals(encodingNamed("Cp1252"), "windows-1252");
  assertEquals(encodingNamed("utf-16"), undefined);
  // Names an object literal inherits are no encoding.
  assertEquals(encodingNamed("constructor"), undefined);
  assertEquals(encodingNamed("__proto__"), undefined);
});

test("decode() decodes UTF-8 however multi-byte characters are cut", async () => {
  for (const pad of PADS) {
    const text = `${pad}id,name\n1,Café ✓ 𝄞\n2,Łódź\n`;
    for (const chunks of splits(utf8(text))) assertEquals(await decodeAll(chunks), text);
  }
  const text = "id,name\n1,Café ✓ 𝄞\n2,Łódź\n";
  // One byte a chunk too.
  assertEquals(await decodeAll(Array.from(utf8(text), (b) => new Uint8Array([b]))), text);
});

test("decode() strips a UTF-8 BOM, even one split across chunks", async () => {
  const bytes = concat([0xef, 0xbb, 0xbf], utf8("a,b\n"));
  for (const chunks of splits(bytes)) assertEquals(await decodeAll(chunks), "a,b\n");
});

test("decode() names the offset and line of the first invalid UTF-8 byte", async () => {
  // "caf" then a windows-1252 é (0xE9) followed by ASCII: byte 12 on line 2.
  for (const pad of PADS) {
    const bytes = concat(utf8(`${pad}id,name\n1,caf`), [0xe9], utf8(",x\n2,ok\n"));
    const offset = pad.length + 13;
    for (const chunks of splits(bytes)) {
      const err = await decodeError(chunks);
      assertEquals(err.type, "encoding_error");
      assertEquals(err.details, { offset, line: 2, encoding: "utf-8" });
      assertMatch(err.message, new RegExp(`byte 0xE9 at offset ${offset} \\(line 2\\)`));
    }
  }
});

test("decode() finds an invalid byte after a character cut by a chunk boundary", async () => {
  // é is C3 A9; C3 followed by "A" is invalid at the C3, on line 3 after CRLF and CR.
  for (const pad of PADS) {
    const bytes = concat(utf8(`${pad}a\r\nb\r`), [0xc3], utf8("A\n"));
    const expected = { offset: pad.length + 5, line: 3, encoding: "utf-8" };
    for (const chunks of splits(bytes)) assertEquals((await decodeError(chunks)).details, expected);
  }
});

test("decode() reports a UTF-8 character cut off at the end of the file", async () => {
  for (const pad of PADS) {
    const bytes = concat(utf8(`${pad}a,b\n1,`), [0xe2, 0x9c]);
    const expected = { offset: pad.length + 6, line: 2, encoding: "utf-8" };
    for (const chunks of splits(bytes)) assertEquals((await decodeError(chunks)).details, expected);
  }
});

test("decode() reports the right offset past the first chunk", async () => {
  const first = utf8("x\n".repeat(1000));
  const err = await decodeError([first, utf8("ok\nbad"), new Uint8Array([0xff])]);
  assertEquals(err.details, { offset: 2006, line: 1002, encoding: "utf-8" });
});

test("decode() decodes latin1 and windows-1252 when declared", async () => {
  const bytes = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x2c, 0x80, 0x2c, 0xfc, 0x0a]);
  assertEquals(await decodeAll([bytes], "windows-1252"), "café,€,ü\n");
  // As in the WHATWG Encoding Standard, latin1 is read as windows-1252.
  assertEquals(await decodeAll([bytes], "latin1"), "café,€,ü\n");
  assertEquals((await decodeError([bytes])).type, "encoding_error");
});

test("decode() lets a UTF-8 BOM win over a declared encoding", async () => {
  assertEquals(await decodeAll([concat([0xef, 0xbb, 0xbf], utf8("é\n"))], "latin1"), "é\n");
});

test("decode() decodes UTF-16 LE and BE with a BOM, cut anywhere", async () => {
  const text = "id\tnév\r\n1\t€ 𝄞\r\n";
  for (const littleEndian of [true, false]) {
    for (const pad of PADS) {
      for (const chunks of splits(utf16(pad + text, littleEndian))) {
        assertEquals(await decodeAll(chunks), pad + text);
      }
    }
  }
});

test("decode() refuses a ZIP (XLSX) by its signature, even cut after two bytes", async () => {
  const zip = concat(utf8("PK"), [3, 4, 20, 0, 6, 0, 8, 0], utf8("[Content_Types].xml"));
  for (const chunks of [[zip], [zip.subarray(0, 2), zip.subarray(2)]]) {
    const err = await decodeError(chunks);
    assertEquals(err.type, "unsupported_file_type");
    assertEquals(err.details, { detected: "zip" });
    assertMatch(
      err.message,
      /looks like a ZIP archive \(an Excel workbook\?\), not text: .*\.xlsx/,
    );
  }
  assertEquals((await decodeError([utf8("%PDF-1.4\n%âãÏÓ\n")])).details, { detected: "pdf" });
  assertEquals((await decodeError([new Uint8Array([0x1f, 0x8b, 8, 0])])).details, {
    detected: "gzip",
  });
});

test("decode() refuses NUL bytes with their offset and line", async () => {
  for (const pad of PADS) {
    const bytes = concat(utf8(`${pad}a,b\r\n1,`), [0], utf8("2\n"));
    for (const chunks of splits(bytes)) {
      const err = await decodeError(chunks, "windows-1252");
      assertEquals(err.type, "parse_error");
      assertEquals(err.details, { offset: pad.length + 7, line: 2 });
      assertMatch(err.message, /binary/);
    }
  }
  const late = await decodeError([utf8("x\n".repeat(600)), utf8("y,"), new Uint8Array([0])]);
  assertEquals(late.details, { offset: 1202, line: 601 });
});

test("decode() refuses NUL characters in UTF-16 text", async () => {
  const err = await decodeError([utf16("a\n\0", true)]);
  assertEquals(err.type, "parse_error");
  assertEquals(err.details, { offset: 6, line: 2 });
});

test("decode() refuses binary data that has no known signature", async () => {
  const garbage = new Uint8Array(600).map((_, k) => (k * 37 + 11) % 256);
  const err = await decodeError([garbage], "windows-1252");
  assertEquals(err.type, "parse_error");
  assertMatch(err.message, /binary/);
});

test("decode() yields nothing for an empty file", async () => {
  assertEquals(await decodeAll([]), "");
  assertEquals(await decodeAll([new Uint8Array(0)]), "");
  assertEquals(await decodeAll([new Uint8Array([0xef, 0xbb, 0xbf])]), "");
});

test("decode() cancels its source when the bytes are invalid", async () => {
  let cancelled: unknown;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(1024).fill(0xff));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const err = await assertRejects(() => Array.fromAsync(decode(source)));
  assert(isIngestError(err, "encoding_error"));
  assertEquals(cancelled, err);
});

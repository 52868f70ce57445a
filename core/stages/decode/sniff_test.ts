import { assertEquals, test } from "../../../tests/assert.ts";
import { binaryOffset, sniffSignature } from "./sniff.ts";

const bytes = (...values: (number | string)[]) =>
  new Uint8Array(
    values.flatMap((v) => typeof v === "string" ? Array.from(v, (c) => c.charCodeAt(0)) : [v]),
  );

test("sniffSignature() recognises archives, documents and images", () => {
  assertEquals(sniffSignature(bytes("PK", 3, 4, 20, 0, 6, 0))?.detected, "zip");
  assertEquals(sniffSignature(bytes(0x1f, 0x8b, 8, 0))?.detected, "gzip");
  assertEquals(sniffSignature(bytes("%PDF-1.7\n"))?.detected, "pdf");
  assertEquals(
    sniffSignature(bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0))?.detected,
    "xls",
  );
  assertEquals(sniffSignature(bytes(0x89, "PNG\r\n", 0x1a, "\n"))?.detected, "png");
  assertEquals(sniffSignature(bytes("BZh91AY&SY"))?.detected, "bzip2");
});

test("sniffSignature() leaves CSV text alone, even text that starts alike", () => {
  assertEquals(sniffSignature(bytes("PK,name\n1,x\n")), null);
  assertEquals(sniffSignature(bytes("BZh,x\n")), null);
  assertEquals(sniffSignature(bytes("")), null);
  assertEquals(sniffSignature(bytes("PK", 3)), null);
});

test("binaryOffset() flags control-byte soup but not a stray control byte", () => {
  assertEquals(binaryOffset(bytes("ab", 1, 2, 3, 4, "cd")), 2);
  const text = "id,name\r\n1,x\t\f\n".repeat(10);
  assertEquals(binaryOffset(bytes(text)), -1);
  assertEquals(binaryOffset(bytes(text, 2, text)), -1);
  assertEquals(binaryOffset(bytes("a,b\n", 0x1a)), -1);
});

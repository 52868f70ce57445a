import { assert, assertEquals, assertThrows, test } from "../../../../tests/assert.ts";
import { IngestError } from "../../../errors.ts";
import { XmlScanner, type XmlScannerOptions } from "./xml_scanner.ts";

const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const namespaces = { [MAIN]: "", [REL]: "r" };

function scan(chunks: string[], options: XmlScannerOptions = { namespaces }): string[] {
  const seen: string[] = [];
  const scanner = new XmlScanner({
    open: (name, attrs) =>
      seen.push(`<${name}${Object.entries(attrs).map(([k, v]) => ` ${k}=${v}`).join("")}>`),
    close: (name) => seen.push(`</${name}>`),
    text: (text) => seen.push(text),
  }, options);
  for (const chunk of chunks) scanner.feed(chunk);
  return seen;
}

test("XmlScanner resolves names through their namespaces, whatever the prefix", () => {
  assertEquals(
    scan([
      `<x:sheet xmlns:x="${MAIN}" xmlns:rel="${REL}" rel:id="rId1" name="A">`,
      `<other xmlns="urn:else"><row/></other><x:row/><u:row/>`,
      `<x:t xml:space="preserve">a</x:t></x:sheet>`,
    ]),
    [
      "<sheet r:id=rId1 name=A>",
      "<{urn:else}other>",
      "<{urn:else}row>",
      "</{urn:else}row>",
      "</{urn:else}other>",
      "<row>",
      "</row>",
      // An undeclared prefix is kept as written.
      "<u:row>",
      "</u:row>",
      "<t xml:space=preserve>",
      "a",
      "</t>",
      "</sheet>",
    ],
  );
  // A default namespace that is listed gives bare names; without `namespaces`, names are raw.
  assertEquals(scan([`<sst xmlns="${MAIN}"><si/></sst>`]), ["<sst>", "<si>", "</si>", "</sst>"]);
  assertEquals(scan([`<x:si xmlns:x="${MAIN}"/>`], {}), [`<x:si xmlns:x=${MAIN}>`, "</x:si>"]);
});

test("XmlScanner passes text on as it comes, keeping only a cut entity", () => {
  assertEquals(scan(["<v>1 &amp", "; 2 &l", "t; 3</v>"]), ["<v>", "1 ", "& 2 ", "< 3", "</v>"]);
  // A bare `&` might start a cut entity, so it waits for the next chunk.
  assertEquals(scan(["<v>a & b", " c</v>"]), ["<v>", "a ", "& b c", "</v>"]);
});

test("XmlScanner bounds a tag's length and the nesting depth", () => {
  const scanner = new XmlScanner({}, { maxTokenLength: 100, maxDepth: 3 });
  scanner.feed(`<a b="${"x".repeat(50)}">`);
  let error = assertThrows(() => scanner.feed(`<c d="${"y".repeat(200)}`));
  assert(error instanceof IngestError, String(error));
  assertEquals([error.type, error.details], ["limit_exceeded", {
    limit: "maxFieldBytes",
    max: 100,
  }]);
  const deep = new XmlScanner({}, { maxDepth: 3 });
  deep.feed("<a><b><c/></b><b><c></c></b>");
  error = assertThrows(() => deep.feed("<b><c><d>"));
  assert(error instanceof IngestError, String(error));
  assertEquals(error.details, { limit: "maxXmlDepth", max: 3 });
});

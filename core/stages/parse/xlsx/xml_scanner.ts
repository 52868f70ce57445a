/**
 * A small streaming XML scanner for the machine-written parts of a workbook (sheets, shared
 * strings, styles): start tags with attributes, end tags and text, fed chunk by chunk. It is not a
 * general XML parser (no DTDs; comments, processing instructions and CDATA are skipped or read
 * as text); OOXML needs no more.
 *
 * Names are resolved through their namespaces when `namespaces` is given: a name in a listed
 * namespace comes as that namespace's prefix (`x:row` and `row` in SpreadsheetML both come as
 * `row` when it is listed as `""`), a name in another declared namespace as `{uri}local`, and a
 * name whose prefix is not declared (or is `xml:`) as written. Writers choose prefixes freely
 * (the Open XML SDK writes `x:`), so readers must never match the prefix they happen to see.
 *
 * Memory stays bounded whatever the input: text is passed on as it arrives (only a cut entity
 * waits for the next chunk), a tag, comment or CDATA section longer than `maxTokenLength` and
 * nesting deeper than `maxDepth` are `limit_exceeded`.
 *
 * This module is browser compatible.
 *
 * @example
 * ```ts
 * import { XmlScanner } from "./xml_scanner.ts";
 * const seen: string[] = [];
 * const scanner = new XmlScanner({
 *   open: (name, attrs) => seen.push(`<${name} ${attrs.r ?? ""}>`),
 *   text: (text) => seen.push(text),
 * }, { namespaces: { "urn:main": "" } });
 * scanner.feed('<x:row xmlns:x="urn:main" r="1"><x:c r="A1"><x:v>4 &amp; 2</x:v></x:c></x:ro');
 * scanner.feed("w>");
 * if (seen.join("") !== "<row 1><c A1><v >4 & 2") throw new Error(seen.join(""));
 * ```
 *
 * @module
 */
import { IngestError } from "../../../errors.ts";

/** What the scanner reports; every callback is optional. */
export interface XmlHandler {
  open?(name: string, attrs: Record<string, string>, selfClosing: boolean): void;
  close?(name: string): void;
  text?(text: string): void;
}

/** How to scan; every field is optional. */
export interface XmlScannerOptions {
  /** Namespace URI → the prefix its names come with (`""` for none); see the module doc. */
  namespaces?: Readonly<Record<string, string>>;
  /** Longest tag, comment or CDATA section, in UTF-16 code units. @default {16 MiB} */
  maxTokenLength?: number;
  /** Deepest element nesting. @default {256} */
  maxDepth?: number;
}

const ATTR = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi;
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
// The longest entity OOXML writers use (`&#x10FFFF;`); a longer `&…` run is not one.
const LONGEST_ENTITY = 10;

/** Resolves the five XML entities and character references. */
export function unescapeXml(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(ENTITY, (_, ref: string) => {
    if (ref[0] !== "#") return NAMED[ref.toLowerCase()];
    const code = ref[1] === "x" || ref[1] === "X"
      ? parseInt(ref.slice(2), 16)
      : parseInt(ref.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
  });
}

/** The prefixes one element declares, and the depth it sits at. */
interface Scope {
  depth: number;
  prefixes: Map<string, string>;
}

/** Feeds text chunks, calling the handler for each complete tag or text run. */
export class XmlScanner {
  #rest = "";
  #depth = 0;
  readonly #scopes: Scope[] = [];
  // Resolved names, valid while the scopes stay as they are (they change at the root only).
  #resolved = new Map<string, string>();
  #bare: boolean | undefined;
  readonly #handler: XmlHandler;
  readonly #namespaces?: Readonly<Record<string, string>>;
  readonly #maxToken: number;
  readonly #maxDepth: number;

  constructor(handler: XmlHandler, options: XmlScannerOptions = {}) {
    this.#handler = handler;
    this.#namespaces = options.namespaces;
    this.#maxToken = options.maxTokenLength ?? 16 * 1024 * 1024;
    this.#maxDepth = options.maxDepth ?? 256;
  }

  /** Scans a chunk; an incomplete tag at its end waits for the next chunk. */
  feed(chunk: string): void {
    const text = this.#rest + chunk;
    this.#rest = "";
    const h = this.#handler;
    let p = 0;
    while (p < text.length) {
      const lt = text.indexOf("<", p);
      if (lt < 0) return this.#textTail(text, p);
      if (lt > p && h.text) h.text(unescapeXml(text.slice(p, lt)));
      if (text.charCodeAt(lt + 1) === 33 && text.startsWith("<!--", lt)) { // "!"
        const end = text.indexOf("-->", lt + 4);
        if (end < 0) return this.#keep(text, lt);
        p = end + 3;
        continue;
      }
      if (text.charCodeAt(lt + 1) === 33 && text.startsWith("<![CDATA[", lt)) {
        const end = text.indexOf("]]>", lt + 9);
        if (end < 0) return this.#keep(text, lt);
        h.text?.(text.slice(lt + 9, end));
        p = end + 3;
        continue;
      }
      const gt = text.indexOf(">", lt + 1);
      if (gt < 0) return this.#keep(text, lt);
      if (gt - lt > this.#maxToken) this.#tooLong();
      const c = text.charCodeAt(lt + 1);
      if (c === 47) { // "/": an end tag
        const name = this.#name(text.slice(lt + 2, gt).trim(), true);
        this.#leave();
        h.close?.(name);
      } else if (c !== 63 && c !== 33) { // not "?" (declaration) or "!" (doctype)
        const selfClosing = text.charCodeAt(gt - 1) === 47;
        this.#tag(text.slice(lt + 1, selfClosing ? gt - 1 : gt), selfClosing);
      }
      p = gt + 1;
    }
  }

  /** Text with no `<` after it: passed on now, but for an entity it may have cut. */
  #textTail(text: string, p: number): void {
    let end = text.length;
    const amp = text.lastIndexOf("&");
    if (amp >= p && text.length - amp <= LONGEST_ENTITY && !text.includes(";", amp)) end = amp;
    if (end > p) this.#handler.text?.(unescapeXml(text.slice(p, end)));
    this.#rest = text.slice(end);
  }

  /** Keeps an incomplete tag, comment or CDATA section for the next chunk, if it may grow. */
  #keep(text: string, from: number): void {
    if (text.length - from > this.#maxToken) this.#tooLong();
    this.#rest = text.slice(from);
  }

  #tag(body: string, selfClosing: boolean): void {
    const h = this.#handler;
    let space = 0;
    while (space < body.length && body.charCodeAt(space) > 32) space++;
    const raw = space === body.length ? body : body.slice(0, space);
    if (this.#depth >= this.#maxDepth) {
      throw new IngestError(
        "limit_exceeded",
        `The workbook's XML nests elements deeper than ${this.#maxDepth} levels`,
        { limit: "maxXmlDepth", max: this.#maxDepth },
      );
    }
    this.#depth++;
    let rawAttrs: Array<[string, string]> | undefined;
    if (space < body.length && (h.open || this.#namespaces)) {
      let declared: Map<string, string> | undefined;
      for (const m of body.slice(space).matchAll(ATTR)) {
        const value = unescapeXml(m[2] ?? m[3]);
        if (this.#namespaces && m[1].startsWith("xmlns")) {
          if (m[1] === "xmlns" || m[1][5] === ":") {
            (declared ??= new Map()).set(m[1] === "xmlns" ? "" : m[1].slice(6), value);
            continue;
          }
        }
        (rawAttrs ??= []).push([m[1], value]);
      }
      if (declared) {
        this.#scopes.push({ depth: this.#depth, prefixes: declared });
        this.#resolved = new Map();
        this.#bare = undefined;
      }
    }
    const name = this.#name(raw, true);
    if (h.open) {
      const attrs: Record<string, string> = {};
      if (rawAttrs) {
        for (const [key, value] of rawAttrs) {
          attrs[key.includes(":") ? this.#name(key, false) : key] = value;
        }
      }
      h.open(name, attrs, selfClosing);
    }
    if (selfClosing) {
      this.#leave();
      h.close?.(name);
    }
  }

  /** Leaves an element: its declarations go out of scope. */
  #leave(): void {
    const top = this.#scopes[this.#scopes.length - 1];
    if (top?.depth === this.#depth) {
      this.#scopes.pop();
      this.#resolved = new Map();
      this.#bare = undefined;
    }
    if (this.#depth > 0) this.#depth--;
  }

  /** A name as the handler sees it (see the module doc); attributes take no default namespace. */
  #name(raw: string, element: boolean): string {
    if (!this.#namespaces || this.#scopes.length === 0) return raw;
    const colon = raw.indexOf(":");
    if (colon < 0 && (!element || (this.#bare ??= this.#defaultIsBare()))) return raw;
    const cached = this.#resolved.get(raw);
    if (cached !== undefined) return cached;
    const prefix = colon < 0 ? "" : raw.slice(0, colon);
    if (prefix === "xml") return raw; // bound to the XML namespace by definition
    const local = raw.slice(colon + 1);
    const uri = this.#lookup(prefix);
    let name = raw;
    if (uri !== undefined && uri !== "") {
      const known = this.#namespaces[uri];
      name = known === undefined ? `{${uri}}${local}` : known === "" ? local : `${known}:${local}`;
    }
    // Honest parts use a few dozen names; a hostile one must not grow the cache without end.
    if (this.#resolved.size >= 1024) this.#resolved = new Map();
    this.#resolved.set(raw, name);
    return name;
  }

  /** Whether unprefixed element names come as written (no default namespace, or a listed one). */
  #defaultIsBare(): boolean {
    const uri = this.#lookup("");
    return uri === undefined || uri === "" || this.#namespaces?.[uri] === "";
  }

  #lookup(prefix: string): string | undefined {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const uri = this.#scopes[i].prefixes.get(prefix);
      if (uri !== undefined) return uri;
    }
    return undefined;
  }

  #tooLong(): never {
    throw new IngestError(
      "limit_exceeded",
      `The workbook's XML has a tag, comment or CDATA section longer than ${this.#maxToken} characters`,
      { limit: "maxFieldBytes", max: this.#maxToken },
    );
  }
}

/** Scans a whole stream of XML bytes. */
export async function scanXml(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  handler: XmlHandler,
  options?: XmlScannerOptions,
): Promise<void> {
  const scanner = new XmlScanner(handler, options);
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) scanner.feed(chunk);
}

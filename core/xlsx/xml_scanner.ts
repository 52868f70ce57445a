/**
 * A small streaming XML scanner for the machine-written parts of a workbook (sheets, shared
 * strings, styles): start tags with attributes, end tags and text, fed chunk by chunk. It is not a
 * general XML parser (no DTDs; comments, processing instructions and CDATA are skipped or read
 * as text); OOXML needs no more.
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
 * });
 * scanner.feed('<row r="1"><c r="A1"><v>4 &amp; 2</v></c></ro');
 * scanner.feed("w>");
 * if (seen.join("") !== '<row 1><c A1><v >4 & 2') throw new Error(seen.join(""));
 * ```
 *
 * @module
 */

/** What the scanner reports; every callback is optional. */
export interface XmlHandler {
  open?(name: string, attrs: Record<string, string>, selfClosing: boolean): void;
  close?(name: string): void;
  text?(text: string): void;
}

const ATTR = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi;
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Resolves the five XML entities and character references. */
export function unescapeXml(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(ENTITY, (_, ref: string) => {
    if (ref[0] !== "#") return NAMED[ref.toLowerCase()];
    const code = ref[1] === "x" || ref[1] === "X"
      ? parseInt(ref.slice(2), 16)
      : parseInt(ref.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

/** Feeds text chunks, calling the handler for each complete tag or text run. */
export class XmlScanner {
  #rest = "";
  readonly #handler: XmlHandler;

  constructor(handler: XmlHandler) {
    this.#handler = handler;
  }

  /** Scans a chunk; an incomplete tag at its end waits for the next chunk. */
  feed(chunk: string): void {
    const text = this.#rest + chunk;
    const h = this.#handler;
    let p = 0;
    while (p < text.length) {
      const lt = text.indexOf("<", p);
      if (lt < 0) {
        // Text may run into the next chunk; entities must not be cut, so keep it.
        this.#rest = text.slice(p);
        return;
      }
      if (lt > p && h.text) h.text(unescapeXml(text.slice(p, lt)));
      if (text.startsWith("<!--", lt)) {
        const end = text.indexOf("-->", lt + 4);
        if (end < 0) return void (this.#rest = text.slice(lt));
        p = end + 3;
        continue;
      }
      if (text.startsWith("<![CDATA[", lt)) {
        const end = text.indexOf("]]>", lt + 9);
        if (end < 0) return void (this.#rest = text.slice(lt));
        h.text?.(text.slice(lt + 9, end));
        p = end + 3;
        continue;
      }
      const gt = text.indexOf(">", lt + 1);
      if (gt < 0) return void (this.#rest = text.slice(lt));
      const c = text.charCodeAt(lt + 1);
      if (c === 47) { // "/": an end tag
        h.close?.(text.slice(lt + 2, gt).trim());
      } else if (c !== 63 && c !== 33) { // not "?" (declaration) or "!" (doctype)
        const selfClosing = text.charCodeAt(gt - 1) === 47;
        const body = text.slice(lt + 1, selfClosing ? gt - 1 : gt);
        const space = body.search(/\s/);
        const name = space < 0 ? body : body.slice(0, space);
        const attrs: Record<string, string> = {};
        if (space >= 0 && h.open) {
          for (const m of body.slice(space).matchAll(ATTR)) {
            attrs[m[1]] = unescapeXml(m[2] ?? m[3]);
          }
        }
        h.open?.(name, attrs, selfClosing);
        if (selfClosing) h.close?.(name);
      }
      p = gt + 1;
    }
    this.#rest = "";
  }
}

/** Scans a whole stream of XML bytes. */
export async function scanXml(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  handler: XmlHandler,
): Promise<void> {
  const scanner = new XmlScanner(handler);
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) scanner.feed(chunk);
}

/**
 * Recognising files that are not text from their first bytes: archives and documents people
 * upload by mistake (an XLSX is a ZIP), and binary data in general.
 *
 * This module is browser compatible.
 *
 * @module
 */

/** A non-text file type recognised by its signature. */
export interface FileSignature {
  /** Short stable name, e.g. "zip". */
  detected: string;
  /** What the user probably uploaded, for the message. */
  label: string;
}

interface Magic extends FileSignature {
  bytes: readonly number[];
  at?: number;
}

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

// Longest-first where prefixes overlap. Only signatures no CSV header can start with.
const MAGICS: readonly Magic[] = [
  { detected: "zip", label: "a ZIP archive (an Excel workbook?)", bytes: [0x50, 0x4b, 0x03, 0x04] },
  { detected: "zip", label: "a ZIP archive (an Excel workbook?)", bytes: [0x50, 0x4b, 0x05, 0x06] },
  { detected: "zip", label: "a ZIP archive (an Excel workbook?)", bytes: [0x50, 0x4b, 0x07, 0x08] },
  {
    detected: "xls",
    label: "a legacy Office document (XLS?)",
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
  },
  { detected: "gzip", label: "a gzip archive", bytes: [0x1f, 0x8b] },
  { detected: "pdf", label: "a PDF document", bytes: ascii("%PDF-") },
  { detected: "7z", label: "a 7-Zip archive", bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { detected: "rar", label: "a RAR archive", bytes: [...ascii("Rar!"), 0x1a, 0x07] },
  {
    detected: "bzip2",
    label: "a bzip2 archive",
    bytes: [0x31, 0x41, 0x59, 0x26, 0x53, 0x59],
    at: 4,
  },
  { detected: "xz", label: "an xz archive", bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { detected: "zstd", label: "a Zstandard archive", bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  {
    detected: "png",
    label: "a PNG image",
    bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  },
  { detected: "jpeg", label: "a JPEG image", bytes: [0xff, 0xd8, 0xff] },
  { detected: "gif", label: "a GIF image", bytes: ascii("GIF8") },
  { detected: "sqlite", label: "an SQLite database", bytes: [...ascii("SQLite format 3"), 0] },
  { detected: "elf", label: "a program (ELF)", bytes: [0x7f, 0x45, 0x4c, 0x46] },
];

/** Bytes needed to recognise every signature. */
export const SIGNATURE_BYTES = 16;

/**
 * Recognises a non-text file type from its first bytes, or returns null.
 *
 * @example
 * ```ts
 * import { sniffSignature } from "./sniff.ts";
 * const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
 * if (sniffSignature(zip)?.detected !== "zip") throw new Error("unexpected");
 * ```
 */
export function sniffSignature(head: Uint8Array): FileSignature | null {
  for (const magic of MAGICS) {
    const at = magic.at ?? 0;
    if (head.length < at + magic.bytes.length) continue;
    if (magic.bytes.every((b, k) => head[at + k] === b)) {
      return { detected: magic.detected, label: magic.label };
    }
  }
  return null;
}

/**
 * Returns the offset of the first control byte when `sample` has too many to be text
 * (at least 1 in 32 bytes), else -1. Tab, LF, VT, FF, CR and DOS end-of-file (0x1A) do not count.
 *
 * @example
 * ```ts
 * import { binaryOffset } from "./sniff.ts";
 * if (binaryOffset(new Uint8Array([0x41, 0x02, 0x03, 0x04])) !== 1) throw new Error("unexpected");
 * ```
 */
export function binaryOffset(sample: Uint8Array): number {
  let first = -1;
  let count = 0;
  for (let k = 0; k < sample.length; k++) {
    const b = sample[k];
    if (b < 0x20 && (b < 0x09 || b > 0x0d) && b !== 0x1a) {
      if (first === -1) first = k;
      count++;
    }
  }
  return count > 0 && count * 32 >= sample.length ? first : -1;
}

/**
 * A workbook's shared strings, held compactly: UTF-8 in one growing buffer with an end offset per
 * string, outside the JS heap (typed arrays' storage is not on it), instead of one JS string each
 * (about 40 bytes of overhead apiece, so 40 million tiny strings would take gigabytes of heap).
 * A sheet may refer to any string at any row, so all are held while it is read; past
 * `maxSharedStringsBytes` the workbook is refused (`limit_exceeded`).
 *
 * This module is browser compatible.
 *
 * @module
 */
import { IngestError } from "../../../errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The shared-string table: append while reading `sharedStrings.xml`, then look up by index. */
export class SharedStrings {
  #bytes: Uint8Array<ArrayBuffer>;
  #ends: Uint32Array<ArrayBuffer>;
  #used = 0;
  #count = 0;
  readonly #max: number;

  /** @param maxBytes Most bytes both buffers may take together. */
  constructor(maxBytes: number) {
    this.#max = maxBytes;
    this.#bytes = new Uint8Array(Math.min(64 * 1024, Math.floor(maxBytes / 2)));
    this.#ends = new Uint32Array(Math.min(1024, Math.floor(maxBytes / 8)));
  }

  /** How many strings the table holds. */
  get size(): number {
    return this.#count;
  }

  /** Appends a string; throws `limit_exceeded` when the table would outgrow its bound. */
  add(text: string): void {
    // Each UTF-16 code unit takes at most 3 UTF-8 bytes; count exactly only when that matters.
    if (this.#used + text.length * 3 > this.#bytes.length) {
      const exact = text.length < 4096 ? text.length * 3 : encoder.encode(text).length;
      if (this.#used + exact > this.#bytes.length) this.#growBytes(exact);
    }
    const { written } = encoder.encodeInto(text, this.#bytes.subarray(this.#used));
    this.#used += written;
    if (this.#count === this.#ends.length) this.#ends = this.#grow(this.#ends, 1, 4);
    this.#ends[this.#count++] = this.#used;
  }

  /** The string at `index`, or undefined when there is none. */
  get(index: number): string | undefined {
    if (!(index >= 0 && index < this.#count && Number.isInteger(index))) return undefined;
    const start = index === 0 ? 0 : this.#ends[index - 1];
    return decoder.decode(this.#bytes.subarray(start, this.#ends[index]));
  }

  #growBytes(needed: number): void {
    const bytes = new Uint8Array(this.#capacity(this.#bytes.length, this.#used + needed, 1));
    bytes.set(this.#bytes.subarray(0, this.#used));
    this.#bytes = bytes;
  }

  #grow(array: Uint32Array, needed: number, unit: number): Uint32Array<ArrayBuffer> {
    const bytes = this.#capacity(array.byteLength, (array.length + needed) * unit, unit);
    const grown = new Uint32Array(bytes / unit);
    grown.set(array);
    return grown;
  }

  /** Doubles a buffer's size, or less when that is past the bound; throws when even less is. */
  #capacity(current: number, wanted: number, unit: number): number {
    const other = unit === 1 ? this.#ends.byteLength : this.#bytes.byteLength;
    const room = this.#max - other;
    if (wanted > room) {
      throw new IngestError(
        "limit_exceeded",
        `The workbook's shared strings take more than ${this.#max} bytes (after ${this.#count} strings); ` +
          "save the sheet with fewer distinct texts, or ask the operator to raise INTAKE_UPLOAD_MEMORY_BYTES",
        { limit: "maxSharedStringsBytes", max: this.#max, strings: this.#count },
      );
    }
    return Math.min(Math.max(current * 2, wanted), Math.floor(room / unit) * unit);
  }
}

/**
 * Lines of COPY text gathered as UTF-8 bytes, a few hundred lines at a time.
 *
 * A batch kept as one string per line until its COPY holds thousands of strings that outlive
 * several young-generation collections: each one copies them again and finally promotes them, for
 * the old generation's collector to trace. Joined and encoded every {@linkcode GROUP} lines, the
 * strings die young and the batch waits as bytes, which no collector scans.
 *
 * This module is browser compatible.
 *
 * @module
 */

/** Lines joined and encoded at a time. */
const GROUP = 256;

const encoder = new TextEncoder();

/** Collects lines (each ended with a line break) as UTF-8 bytes. */
export class CopyBuffer {
  #bytes = new Uint8Array(1 << 20);
  #length = 0;
  #lines: string[] = [];
  #count = 0;

  /** How many lines were added since the last {@linkcode CopyBuffer.take}. */
  get count(): number {
    return this.#count;
  }

  /** Adds one line, without its line break. */
  add(line: string): void {
    this.#lines.push(line);
    this.#count++;
    if (this.#lines.length === GROUP) this.#encode();
  }

  /** Returns the bytes of every line added since the last call, and starts over. */
  take(): Uint8Array<ArrayBuffer> {
    this.#encode();
    const bytes = this.#bytes.subarray(0, this.#length);
    // The bytes leave (a transferred buffer is gone): the next batch gets a fresh buffer.
    this.#bytes = new Uint8Array(Math.max(1 << 16, this.#bytes.length));
    this.#length = 0;
    this.#count = 0;
    return bytes;
  }

  #encode(): void {
    if (this.#lines.length === 0) return;
    this.#lines.push("");
    const text = this.#lines.join("\n");
    this.#lines = [];
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const needed = this.#length + text.length * 3;
    if (needed > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.#bytes.length * 2));
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    this.#length += encoder.encodeInto(text, this.#bytes.subarray(this.#length)).written;
  }
}

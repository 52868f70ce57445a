/**
 * A Bloom filter over the keys of a file's valid rows, filled while they are staged: a row whose
 * key the filter may have seen before is marked as a possible repeat, and the set-based
 * duplicate check (`duplicate_keys.ts`) then looks only at the keys of marked rows instead of
 * grouping every staged row by key (measured: a second or more per million rows, most of it
 * for files without a single repeat).
 *
 * A Bloom filter has no false negatives, so every real repeat is marked; false positives only
 * cost the check a few more keys.
 *
 * It grows with the file (a scalable Bloom filter): it starts at 256 KiB, or at the size for the
 * keys expected when the caller knows roughly how many (from the upload's size), and each time the
 * newest filter holds a key per 32 of its bits, a filter twice its size is added, up to one of
 * 8 MiB, which then takes every further key. A key is looked up in every filter and added to the
 * newest. So a file of 100,000 rows needs 256 KiB, not the 8 MiB a fixed filter sized for millions
 * would take for each of sixteen concurrent uploads, and memory stays flat in file size: at most
 * 16 MiB, reached past ~2 M keys. Each filter is one cache miss per key: sized from the start, a
 * million keys take one filter instead of five (measured: 300 against 430–660 ms, and a quarter
 * of the false positives). False positives measured in the tests: under 1 in 5,000 for
 * 200,000 distinct keys, 1 in ~800 for 3 million.
 *
 * Keys are compared as PostgreSQL compares the staged types: {@linkcode keyText} writes equal
 * values the same way (`1.50` and `1.5`, two spellings of one instant).
 *
 * This module is browser compatible.
 *
 * @module
 */
import type { ColumnType } from "../../core/config/define_upload_type.ts";
import type { CellValue } from "../../core/ports.ts";

const FIRST_BITS = 1 << 21;
const LAST_BITS = 1 << 26;
const BITS_PER_KEY = 32;

/** Remembers keys, approximately; see the module doc. */
export class KeyFilter {
  readonly #filters: Uint32Array[];
  #keys = 0;

  /** `expectedKeys`, when known, sizes the first filter for them (up to the largest filter). */
  constructor(expectedKeys = 0) {
    let bits = FIRST_BITS;
    while (bits < LAST_BITS && bits < expectedKeys * BITS_PER_KEY) bits *= 2;
    this.#filters = [new Uint32Array(bits >>> 5)];
  }

  /**
   * Adds the key made of `parts` (see {@linkcode keyText}) and returns true when it may have
   * been added before.
   */
  addAndCheck(parts: readonly string[]): boolean {
    // One 32-bit FNV-1a hash of the parts, each followed by a separator (hashed in place rather
    // than joined into a string per row), mixed two ways: one picks the block, the other the
    // bits in it.
    let h = 0x811c9dc5;
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p];
      for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
      h = Math.imul(h ^ 0xffff, 0x01000193);
    }
    const h1 = mix(h);
    const h2 = mix(h ^ 0x5bd1e995);
    const filters = this.#filters;
    const newest = filters.length - 1;
    for (let f = 0; f < newest; f++) if (probe(filters[f], h1, h2, false)) return true;
    if (probe(filters[newest], h1, h2, true)) return true;
    const bits = filters[newest].length << 5;
    if (++this.#keys * BITS_PER_KEY >= bits && bits < LAST_BITS) {
      filters.push(new Uint32Array(bits >>> 4));
      this.#keys = 0;
    }
    return false;
  }
}

/**
 * True when every probe's bit was set in `filter`; `add` sets them. All probes fall in one
 * 64-byte block (a blocked Bloom filter): one cache miss per key instead of one per probe, in a
 * filter far larger than the CPU's caches.
 */
function probe(filter: Uint32Array, h1: number, h2: number, add: boolean): boolean {
  // Blocks are picked by h1's low bits (at most 17 of them); four 9-bit probes come from h2 and
  // h1's top bits.
  const block = ((h1 >>> 0) & ((filter.length >>> 4) - 1)) << 4;
  let seen = true;
  for (let p = 0; p < 4; p++) {
    const bit = (p < 3 ? h2 >>> (p * 9) : h1 >>> 23) & 511;
    const word = block + (bit >>> 5);
    const mask = 1 << (bit & 31);
    if ((filter[word] & mask) === 0) {
      if (!add) return false;
      seen = false;
      filter[word] |= mask;
    }
  }
  return seen;
}

// MurmurHash3's finalizer: spreads every input bit over the whole word.
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The text of a key value such that two values PostgreSQL holds equal get the same text: the
 * fractions of `number` and `datetime` values lose their trailing zeros (`12.500` is `12.5`,
 * `…05.120000Z` is `…05.12Z`); every other type is already written one way only.
 */
export function keyText(value: CellValue, type: ColumnType): string {
  if (typeof value !== "string") return String(value);
  if (type !== "number" && type !== "datetime") return value;
  const point = value.indexOf(".");
  if (point < 0) return value;
  let end = point + 1;
  while (end < value.length && value.charCodeAt(end) >= 48 && value.charCodeAt(end) <= 57) end++;
  let last = end;
  while (last > point + 1 && value.charCodeAt(last - 1) === 48) last--;
  if (last === point + 1) last = point;
  return value.slice(0, last) + value.slice(end);
}

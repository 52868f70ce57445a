/**
 * Bounds on what an error may quote of its input. A message or a detail can quote a header, a
 * key or a value from the file, and the file decides how long those are: a 30 MB header once
 * made a 94 MB run record that took the server down each time the runs were listed. Every
 * {@linkcode IngestError} passes its message and details through here when it is made, so the
 * run record, the API's answer, logs, spans and pages all get the bounded text; the run
 * repository bounds again what it stores and lists (for records written before).
 *
 * Strings longer than their bound keep their start and say how long they were
 * (`"xxx… (31,457,280 characters)"`); lists keep their first items and say how many there were;
 * a NUL character (which no PostgreSQL text can hold) shows as `␀`.
 *
 * This module is browser compatible.
 *
 * @module
 */

/** Longest error message kept, in UTF-16 code units (before the length note). */
export const MAX_MESSAGE_CHARS = 2000;
/** Longest string kept in an error's details. */
export const MAX_DETAIL_CHARS = 500;
/** Most items kept of a list (or keys of an object) in an error's details. */
export const MAX_DETAIL_ITEMS = 100;
/** All the strings of one error's details together. */
export const MAX_DETAILS_CHARS = 32 * 1024;
/** The longest length note, `… (9,007,199,254,740,991 characters)`. */
const NOTE_CHARS = 40;
/** Nesting kept in an error's details. */
const MAX_DEPTH = 6;

/**
 * `text` cut to `max` characters with its length said (when it is longer than `max` and the
 * note), and NUL shown as `␀`.
 *
 * @example A long header quoted in a message
 * ```ts
 * import { boundText } from "./error_bounds.ts";
 * const bounded = boundText("x".repeat(5000), 3);
 * if (bounded !== "xxx… (5,000 characters)") throw new Error("unexpected");
 * if (boundText(bounded, 3) !== bounded) throw new Error("bounded twice");
 * ```
 */
export function boundText(text: string, max: number = MAX_MESSAGE_CHARS): string {
  const clean = text.includes("\0") ? text.replaceAll("\0", "\u2400") : text;
  // Room for the length note, so bounding a bounded text again leaves it as it is (an error
  // rebuilt from a stored run keeps the original length in its note).
  if (clean.length <= max + NOTE_CHARS) return clean;
  // Never keep half of a surrogate pair.
  const end = max > 0 && isHighSurrogate(clean.charCodeAt(max - 1)) ? max - 1 : max;
  return `${clean.slice(0, end)}… (${clean.length.toLocaleString("en-US")} characters)`;
}

/**
 * A copy of `details` within the bounds above: strings cut, lists and objects shortened, deep
 * nesting dropped. Numbers, booleans, null and non-plain objects pass as they are.
 *
 * @example A header of 20,000 names in `found`
 * ```ts
 * import { boundDetails, MAX_DETAIL_ITEMS } from "./error_bounds.ts";
 * const found = Array.from({ length: 20_000 }, (_, i) => `c${i}`);
 * const bounded = boundDetails({ found, line: 1 }) as { found: string[]; line: number };
 * if (bounded.found.length !== MAX_DETAIL_ITEMS + 1 || bounded.line !== 1) throw new Error("unexpected");
 * if (bounded.found.at(-1) !== "… (20,000 items)") throw new Error("unexpected");
 * ```
 */
export function boundDetails<T extends Record<string, unknown>>(details: T): T {
  return bound(details, { left: MAX_DETAILS_CHARS }, 0) as T;
}

function bound(value: unknown, budget: { left: number }, depth: number): unknown {
  if (typeof value === "string") {
    const text = boundText(value, Math.max(0, Math.min(MAX_DETAIL_CHARS, budget.left)));
    budget.left -= Math.min(value.length, MAX_DETAIL_CHARS);
    return text;
  }
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    if (depth === MAX_DEPTH) return `… (${count(value.length, "items")})`;
    const out: unknown[] = [];
    for (const item of value) {
      if (out.length === MAX_DETAIL_ITEMS || budget.left <= 0) {
        out.push(`… (${count(value.length, "items")})`);
        break;
      }
      out.push(bound(item, budget, depth + 1));
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const keys = Object.keys(value);
  if (depth === MAX_DEPTH) return `… (${count(keys.length, "keys")})`;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    if (i === MAX_DETAIL_ITEMS || budget.left <= 0) {
      out["…"] = count(keys.length, "keys");
      break;
    }
    const key = keys[i];
    budget.left -= Math.min(key.length, MAX_DETAIL_CHARS);
    out[boundText(key, MAX_DETAIL_CHARS)] = bound(
      (value as Record<string, unknown>)[key],
      budget,
      depth + 1,
    );
  }
  return out;
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${noun}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

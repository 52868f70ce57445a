/**
 * Strict ISO 8601 dates and date-times for `date` and `datetime` columns: real calendar dates
 * only (`2023-02-30` is refused, where `Date` would roll it over to March), years 0001–9999 as
 * PostgreSQL takes them, and date-times with an explicit offset, normalized to UTC.
 *
 * This module is browser compatible.
 *
 * @module
 */

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)? ?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

/** Days in `month` (1–12) of `year`, in the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Returns `text` when it is a real calendar date written `YYYY-MM-DD`, else null.
 *
 * @example
 * ```ts
 * import { parseIsoDate } from "./iso_dates.ts";
 * if (parseIsoDate("2024-02-29") !== "2024-02-29" || parseIsoDate("2023-02-29") !== null) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function parseIsoDate(text: string): string | null {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null;
  }
  return text;
}

/**
 * Returns the UTC ISO string (`YYYY-MM-DDTHH:MM:SS.sssZ`, six fraction digits when the input
 * has sub-millisecond ones) of an ISO 8601 date-time with a `Z` or `±HH:MM` offset, else null.
 * A `T` or one space may separate date and time; seconds and fractions are optional.
 *
 * @example
 * ```ts
 * import { parseIsoDateTime } from "./iso_dates.ts";
 * if (parseIsoDateTime("2024-01-31T13:30:00+01:00") !== "2024-01-31T12:30:00.000Z") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function parseIsoDateTime(text: string): string | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (
    year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
    hour > 23 || minute > 59 || second > 59
  ) {
    return null;
  }
  let offset = 0;
  if (m[8] === undefined) {
    const hours = Number(m[10]);
    const minutes = m[11] === undefined ? 0 : Number(m[11]);
    if (hours > 18 || minutes > 59) return null;
    offset = (m[9] === "-" ? -1 : 1) * (hours * 60 + minutes);
  }
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offset, second, 0);
  const utcYear = date.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return null;
  const fraction = (m[7] ?? "").padEnd(3, "0");
  const sub = fraction.length > 3 && /[1-9]/.test(fraction.slice(3))
    ? fraction.padEnd(6, "0")
    : fraction.slice(0, 3);
  return `${date.toISOString().slice(0, 20)}${sub}Z`;
}

/** Compares two strings returned by {@linkcode parseIsoDateTime}, as instants. */
export function compareIsoDateTime(a: string, b: string): number {
  const x = a.length === 24 ? a.slice(0, 23) + "000Z" : a;
  const y = b.length === 24 ? b.slice(0, 23) + "000Z" : b;
  return x === y ? 0 : x < y ? -1 : 1;
}

/** English month names, lower case, January first. */
export const MONTHS: readonly string[] = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const YEAR_FIRST = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const YEAR_LAST = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/;
const NAMED_MONTH_FIRST = /^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/;
const NAMED_DAY_FIRST = /^(\d{1,2})(?:st|nd|rd|th)?\.? ([a-z]{3,9})\.?,? (\d{4})$/;

/**
 * How a date written another way should be written instead: `"2025-3-1"` → `["2025-03-01"]`,
 * `"31/03/2025"` and `"March 3, 2025"` (English month names, full or three letters) → one date;
 * `"03/04/2025"` could be either day-first or month-first → both, day-first first. Null when
 * `text` is not such a date (two-digit years are never guessed) or names no real day.
 *
 * @example
 * ```ts
 * import { suggestIsoDate } from "./iso_dates.ts";
 * if (suggestIsoDate("31/03/2025")?.join() !== "2025-03-31") throw new Error("unexpected");
 * if (suggestIsoDate("03/04/2025")?.join() !== "2025-04-03,2025-03-04") throw new Error();
 * ```
 */
export function suggestIsoDate(text: string): string[] | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, " ");
  let m = YEAR_FIRST.exec(t);
  if (m) return real([[m[1], m[2], m[3]]]);
  m = YEAR_LAST.exec(t);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    // Day first is the reading most of the world uses; month first (US) when only it fits.
    return real(a === b ? [[m[3], m[2], m[1]]] : [[m[3], m[2], m[1]], [m[3], m[1], m[2]]]);
  }
  m = NAMED_MONTH_FIRST.exec(t);
  if (m) return real([[m[3], monthOf(m[1]), m[2]]]);
  m = NAMED_DAY_FIRST.exec(t);
  if (m) return real([[m[3], monthOf(m[2]), m[1]]]);
  return null;
}

function monthOf(name: string): string {
  const month = MONTHS.findIndex((full) => full === name || full.slice(0, 3) === name);
  // "sept" is common enough to know.
  return String(month === -1 && name === "sept" ? 9 : month + 1);
}

/** The readings that are real dates, as `YYYY-MM-DD`; null when none is. */
function real(readings: Array<[string, string, string]>): string[] | null {
  const dates = readings
    .map(([y, mo, d]) => `${y}-${mo.padStart(2, "0")}-${d.padStart(2, "0")}`)
    .filter((date) => parseIsoDate(date) !== null);
  return dates.length ? dates : null;
}

function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

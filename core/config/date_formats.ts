/**
 * Dates and date-times written in a column's declared `formats`: Unicode date-field patterns as
 * date-fns' `parse` reads them (`MMM d yyyy`, `dd/MM/yyyy`, `M/d/yy`), tried after ISO 8601.
 * Every pattern is tried, so a value two patterns read differently (`01/02/2000` under both
 * `dd/MM/yyyy` and `MM/dd/yyyy`) is refused as ambiguous instead of taking the first reading.
 *
 * date-fns tokenises the pattern on every call (~14 µs a value here), and real files repeat
 * their dates (a reporting date per batch, a day per many trades), so readings are cached per
 * column in a bounded map.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { format as formatDate, isValid, parse } from "date-fns";
import { CellFailure } from "./cell_failure.ts";
import { parseIsoDate, parseIsoDateTime } from "./iso_dates.ts";
import { wallTimeToUtc } from "./time_zones.ts";

/** How many readings a column keeps (a few hundred KiB); past it the oldest go first. */
const CACHE_SIZE = 4096;
/** A date whose fields are all distinct, to check that a pattern formats at all. */
const PROBE = new Date(2000, 10, 23, 13, 45, 30, 123);
// Tokens that carry an offset: a value read with one is an instant, not a wall time.
const OFFSET_TOKEN = /[XxOz]/;

/**
 * Why `pattern` is not a usable date pattern, or null when it is: date-fns must accept it, and
 * a date column's pattern must not read a time of day.
 */
export function datePatternProblem(pattern: string, kind: "date" | "datetime"): string | null {
  try {
    formatDate(PROBE, pattern);
    parse(formatDate(PROBE, pattern), pattern, PROBE);
  } catch (error) {
    return `"${pattern}" is not a date pattern: ${(error as Error).message}`;
  }
  if (kind === "date" && /[HhKkmsSaBb]/.test(unquoted(pattern))) {
    return `"${pattern}" reads a time of day: use a datetime column for it`;
  }
  return null;
}

/** Whether a datetime `pattern` reads an offset (then no `timezone` is needed for it). */
export function patternHasOffset(pattern: string): boolean {
  return OFFSET_TOKEN.test(unquoted(pattern));
}

/**
 * Compiles the reader of a `date` column with `formats`: ISO `yyyy-MM-dd` first, then every
 * pattern; returns `YYYY-MM-DD`, or a failure that names the patterns (or the two readings).
 */
export function compileDateFormats(
  formats: readonly string[],
): (text: string) => string | CellFailure {
  const failure = new CellFailure(
    "type",
    `Must be a real date written YYYY-MM-DD or ${formats.join(" or ")}`,
  );
  return cached((text) => parseIsoDate(text) ?? readPatterns(text, formats, isoDate) ?? failure);
}

/**
 * Compiles the reader of a `datetime` column with `formats` and/or a `timezone`: ISO 8601 with
 * an offset first, then ISO without one and every pattern, read as wall time in `timezone`
 * (patterns with an offset token are instants already). Returns the UTC ISO string.
 */
export function compileDateTimeFormats(
  formats: readonly string[],
  timezone: string | undefined,
): (text: string) => string | CellFailure {
  const failure = new CellFailure(
    "type",
    formats.length
      ? `Must be a date and time in ISO 8601 or ${formats.join(" or ")}`
      : `Must be a date and time in ISO 8601, e.g. 2024-01-31T12:00:00`,
  );
  const toInstant = (date: Date, pattern: string) =>
    patternHasOffset(pattern)
      ? isoInstant(date.getTime())
      : timezone === undefined
      ? null
      : isoInstant(wallTimeToUtc(wallMillis(date), timezone));
  return cached((text) => {
    const iso = parseIsoDateTime(text);
    if (iso !== null) return iso;
    if (timezone !== undefined) {
      // ISO without an offset: the same reading, as wall time in the column's zone.
      const wall = parseIsoDateTime(`${text}Z`);
      if (wall !== null) return shiftIso(wall, timezone) ?? failure;
    }
    return readPatterns(text, formats, toInstant) ?? failure;
  });
}

/** Every pattern's reading of `text`; null when none reads it, a failure when two disagree. */
function readPatterns(
  text: string,
  formats: readonly string[],
  convert: (date: Date, pattern: string) => string | null,
): string | CellFailure | null {
  // A fixed reference makes two-digit years and missing fields the same on every run of a year.
  const reference = new Date(new Date().getFullYear(), 0, 1);
  let found: string | null = null;
  let foundPattern = "";
  for (const pattern of formats) {
    const date = parse(text, pattern, reference);
    if (!isValid(date)) continue;
    const reading = convert(date, pattern);
    if (reading === null) continue;
    if (found === null) {
      found = reading;
      foundPattern = pattern;
    } else if (reading !== found) {
      return new CellFailure(
        "type",
        `Ambiguous date "${text}": it reads as ${found} (${foundPattern}) and as ${reading} ` +
          `(${pattern}); write it YYYY-MM-DD`,
      );
    }
  }
  return found;
}

function cached(
  read: (text: string) => string | CellFailure,
): (text: string) => string | CellFailure {
  const cache = new Map<string, string | CellFailure>();
  return (raw) => {
    const text = raw.trim();
    let result = cache.get(text);
    if (result === undefined) {
      result = read(text);
      // A Map iterates in insertion order: its first key is the oldest.
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(text, result);
    }
    return result;
  };
}

// date-fns builds the reading in the process's local time; its fields are the date as written.
function isoDate(date: Date): string | null {
  const year = date.getFullYear();
  if (year < 1 || year > 9999) return null;
  const y = String(year).padStart(4, "0");
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

function wallMillis(date: Date): number {
  const utc = new Date(0);
  utc.setUTCFullYear(date.getFullYear(), date.getMonth(), date.getDate());
  utc.setUTCHours(date.getHours(), date.getMinutes(), date.getSeconds(), date.getMilliseconds());
  return utc.getTime();
}

function isoInstant(millis: number): string | null {
  const date = new Date(millis);
  const year = date.getUTCFullYear();
  return Number.isNaN(millis) || year < 1 || year > 9999 ? null : date.toISOString();
}

/** Moves a wall time read as UTC (`parseIsoDateTime` form) to the instant it is in `zone`. */
function shiftIso(wall: string, zone: string): string | null {
  const instant = isoInstant(wallTimeToUtc(Date.parse(wall), zone));
  // Sub-millisecond digits survive the shift unchanged.
  return instant && wall.length > 24 ? `${instant.slice(0, 23)}${wall.slice(23)}` : instant;
}

function unquoted(pattern: string): string {
  return pattern.replace(/'[^']*'/g, "");
}

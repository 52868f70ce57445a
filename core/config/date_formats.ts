/**
 * Dates and date-times written in a column's declared `formats`: Unicode date-field patterns as
 * date-fns' `parse` reads them (`MMM d yyyy`, `dd/MM/yyyy`, `M/d/yy`), tried after ISO 8601.
 * Every pattern is tried, so a value two patterns read differently (`01/02/2000` under both
 * `dd/MM/yyyy` and `MM/dd/yyyy`) is refused as ambiguous instead of taking the first reading.
 *
 * Each pattern is compiled once into a fast reader (date_patterns.ts) that reads values exactly
 * as date-fns' `parse` does; a pattern using a token the fast reader does not cover is read by
 * `parse` itself (~14 µs a value), and a column with such a pattern caches its readings in a
 * bounded map, since real files repeat their dates (a reporting date per batch, a day per many
 * trades).
 *
 * This module is browser compatible.
 *
 * @module
 */
import { format as formatDate, isValid, parse } from "date-fns";
import { CellFailure } from "./cell_failure.ts";
import { compileDatePattern, type WallTime } from "./date_patterns.ts";
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
  const readers = compileReaders(formats, false);
  return trimmed(
    readers,
    (text) => parseIsoDate(text) ?? readPatterns(text, formats, readers, isoDate) ?? failure,
  );
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
  const readers = compileReaders(formats, true);
  const toInstant = (reading: Reading) =>
    reading.instant !== undefined
      ? isoInstant(reading.instant)
      : timezone === undefined
      ? null
      : isoInstant(wallTimeToUtc(wallMillis(reading), timezone));
  return trimmed(readers, (text) => {
    const iso = parseIsoDateTime(text);
    if (iso !== null) return iso;
    if (timezone !== undefined) {
      // ISO without an offset: the same reading, as wall time in the column's zone.
      const wall = parseIsoDateTime(`${text}Z`);
      if (wall !== null) return shiftIso(wall, timezone) ?? failure;
    }
    return readPatterns(text, formats, readers, toInstant) ?? failure;
  });
}

/** A pattern's reading: wall-clock fields, and the instant when the pattern reads an offset. */
type Reading = WallTime & { instant?: number };

interface Reader {
  read: (text: string) => Reading | null;
  /** Whether this is the compiled reader rather than date-fns' `parse`. */
  fast: boolean;
}

/** One reader per pattern: the compiled fast reader, or date-fns' `parse` where it has none. */
function compileReaders(formats: readonly string[], instants: boolean): Reader[] {
  // A fixed reference makes two-digit years and missing fields the same all run long.
  const reference = new Date(new Date().getFullYear(), 0, 1);
  return formats.map((pattern) => {
    const fast = compileDatePattern(pattern, reference.getFullYear());
    if (fast !== null) return { read: fast, fast: true };
    const offset = instants && patternHasOffset(pattern);
    const read = (text: string): Reading | null => {
      const date = parse(text, pattern, reference);
      if (!isValid(date)) return null;
      // date-fns builds the reading in the process's local time: its local fields are the value
      // as written.
      const fields = {
        year: date.getFullYear(),
        month: date.getMonth() + 1,
        day: date.getDate(),
        hour: date.getHours(),
        minute: date.getMinutes(),
        second: date.getSeconds(),
        millisecond: date.getMilliseconds(),
      };
      return offset ? { ...fields, instant: date.getTime() } : fields;
    };
    return { read, fast: false };
  });
}

/** Every pattern's reading of `text`; null when none reads it, a failure when two disagree. */
function readPatterns(
  text: string,
  formats: readonly string[],
  readers: readonly Reader[],
  convert: (reading: Reading) => string | null,
): string | CellFailure | null {
  let found: string | null = null;
  let foundPattern = "";
  for (let i = 0; i < readers.length; i++) {
    const read = readers[i].read(text);
    if (read === null) continue;
    const reading = convert(read);
    if (reading === null) continue;
    if (found === null) {
      found = reading;
      foundPattern = formats[i];
    } else if (reading !== found) {
      return new CellFailure(
        "type",
        `Ambiguous date "${text}": it reads as ${found} (${foundPattern}) and as ${reading} ` +
          `(${formats[i]}); write it YYYY-MM-DD`,
      );
    }
  }
  return found;
}

/**
 * The column's reader on trimmed text. When a pattern is read by date-fns, readings are cached
 * in a bounded map, sparing a file that repeats its dates its ~14 µs a value; the compiled
 * readers cost less than the cache's own upkeep, so a column of those alone has none.
 */
function trimmed(
  readers: readonly Reader[],
  read: (text: string) => string | CellFailure,
): (text: string) => string | CellFailure {
  if (readers.every((r) => r.fast)) return (raw) => read(raw.trim());
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

function isoDate(fields: WallTime): string | null {
  const { year, month, day } = fields;
  if (year < 1 || year > 9999) return null;
  const y = String(year).padStart(4, "0");
  return `${y}-${month < 10 ? "0" : ""}${month}-${day < 10 ? "0" : ""}${day}`;
}

/** The wall time's fields read as UTC, in epoch milliseconds (`wallTimeToUtc`'s input). */
function wallMillis(fields: WallTime): number {
  const utc = new Date(0);
  utc.setUTCFullYear(fields.year, fields.month - 1, fields.day);
  utc.setUTCHours(fields.hour, fields.minute, fields.second, fields.millisecond);
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

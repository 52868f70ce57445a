/**
 * A column's date pattern compiled once into a scanner: the fast reader of `formats`, with
 * date-fns' `parse` as its reference. date-fns tokenises the pattern and builds a `Date` through
 * a dozen setters on every call (14–30 µs a value), which made a date column with `formats` cost
 * ~13× a row on the benchmark's million rows (docs/performance.md); the compiled reader reads the
 * same values the same way in a small fraction of that.
 *
 * It covers the tokens real files use: `y` (any length; `yy` is a two-digit year, pivoted as
 * date-fns does), `M` to `MMMMM` (English month names as date-fns' default locale reads them),
 * `d`, `H`, `h`, `a`, `m`, `s` (one or more letters) and literal text, quoted or not. A pattern
 * with any other token gets null, and the caller reads it with date-fns itself.
 *
 * Equivalence is by construction and tested (date_patterns_test.ts): date-fns reads a pattern
 * token by token, each with a regular expression anchored where the previous one stopped, never
 * backtracking into an earlier token. Each step here consumes exactly what that token's
 * expression matches (quoted beside each scanner), and the checks after the scan are date-fns'
 * setters' checks (month 1–12, the day within the month of that year, hours, minutes, seconds,
 * a year above 0 unless two-digit). Unlike date-fns, the reading does not pass through the
 * process's local time zone, so a wall time that the server's own zone skips is kept as written
 * (it is read in the column's `timezone` afterwards).
 *
 * This module is browser compatible.
 *
 * @module
 */
import { MONTHS } from "./iso_dates.ts";

/** The fields a pattern read, as written (month 1–12); missing ones are the reference's. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** Reads one value with one pattern: its fields, or null when the pattern does not read it. */
export type PatternReader = (text: string) => WallTime | null;

type Field =
  | "year"
  | "twoDigitYear"
  | "month"
  | "day"
  | "hour"
  | "hour12"
  | "minute"
  | "second"
  | "period";

// date-fns' tokenisers (parse.js): long formats (P, p) are expanded first; we leave them to it.
const LONG_FORMAT = /P+p+|P+|p+|''|'(''|[^'])+('|$)|./g;
const TOKEN = /[yYQqMLwIdDecihHKkms]o|(\w)\1*|''|'(''|[^'])+('|$)|./g;

const LATIN = /[a-zA-Z]/;

// English (en-US) names as date-fns' default locale matches them (locale/en-US/_lib/match.js).
const MONTHS_WIDE = MONTHS;
const MONTHS_ABBREVIATED = MONTHS_WIDE.map((name) => name.slice(0, 3));
const MONTHS_NARROW = ["j", "f", "m", "a", "s", "o", "n", "d"];
const PERIOD_ANY =
  "[ap]\\.?\\s?m\\.?|midnight|noon|(?:in the|at) (?:morning|afternoon|evening|night)";
const PERIOD_NARROW = "a|p|mi|n|(?:in the|at) (?:morning|afternoon|evening|night)";

/** A month's first three letters (lower case, as {@linkcode key3} makes them) to its month, 1–12. */
const MONTH_OF_ABBREVIATION = new Map(MONTHS_ABBREVIATED.map((name, i) => [key3(name, 0), i + 1]));
/** date-fns' parse patterns for the narrow width take the first month a letter begins. */
const MONTH_OF_LETTER = new Map(MONTHS_NARROW.map((letter, i) => [
  letter.charCodeAt(0),
  [1, 2, 3, 4, 9, 10, 11, 12][i],
]));

// date-fns' day periods in the order it tests them, and the hour each sets (utils.js).
const PERIOD_HOURS: Array<[RegExp, number]> = [
  [/^a/i, 0],
  [/^p/i, 12],
  [/^mi/i, 0],
  [/^no/i, 12],
  [/morning/i, 4],
  [/afternoon/i, 12],
  [/evening/i, 17],
  [/night/i, 0],
];

/**
 * Compiles `pattern` (a pattern date-fns accepts) into its fast reader, with `referenceYear` for
 * the fields it lacks and the two-digit-year pivot; null when it uses a token the fast reader
 * does not cover (then date-fns reads it).
 */
export function compileDatePattern(pattern: string, referenceYear: number): PatternReader | null {
  const long = pattern.match(LONG_FORMAT) ?? [];
  if (pattern === "" || long.some((t) => t[0] === "P" || t[0] === "p")) return null;
  const steps: Step[] = [];
  const fields: Field[] = [];
  for (const token of pattern.match(TOKEN) ?? []) {
    const field = fieldOf(token);
    if (field === undefined) return null;
    if (field === null) {
      steps.push({ literal: literalOf(token), field: "day", scan: NO_SCAN, names: false });
      continue;
    }
    // date-fns refuses a field twice and a 12-hour clock beside a 24-hour one.
    if (fields.includes(field) || conflicts(field, fields)) return null;
    fields.push(field);
    steps.push({ literal: null, field, scan: scannerOf(token), names: /^(M{3,}|a+)$/.test(token) });
  }
  return (text) => {
    let at = 0;
    let year = -1;
    let month = -1;
    let day = -1;
    let hour = -1;
    let minute = -1;
    let second = -1;
    let periodHour = -1;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step.literal !== null) {
        if (!text.startsWith(step.literal, at)) return null;
        at += step.literal.length;
        continue;
      }
      const end = step.scan(text, at);
      if (end < 0) return null;
      if (step.names) {
        if (step.field === "month") {
          // Every name read is English letters: its first three name the month, or its letter.
          month = end - at === 1
            ? MONTH_OF_LETTER.get(lower(text.charCodeAt(at)))!
            : MONTH_OF_ABBREVIATION.get(key3(text, at))!;
        } else periodHour = periodHours(text.slice(at, end));
      } else {
        const value = digitsValue(text, at, end);
        switch (step.field) {
          case "year":
            if (value <= 0) return null;
            year = value;
            break;
          case "twoDigitYear":
            year = pivotTwoDigitYear(value, referenceYear);
            break;
          case "month":
            month = value;
            break;
          case "day":
            day = value;
            break;
          case "hour":
            if (value > 23) return null;
            hour = value;
            break;
          case "hour12":
            if (value < 1 || value > 12) return null;
            hour = value + 100; // resolved below, once the day period is known
            break;
          case "minute":
            minute = value;
            break;
          case "second":
            second = value;
            break;
        }
      }
      at = end;
    }
    // date-fns accepts trailing whitespace, nothing else.
    if (at < text.length) {
      TRAILING_SPACE.lastIndex = at;
      if (!TRAILING_SPACE.test(text)) return null;
    }
    if (year < 0) year = referenceYear;
    if (month < 0) month = 1;
    else if (month < 1 || month > 12) return null;
    if (day < 0) day = 1;
    else if (day < 1 || day > monthDays(year, month)) return null;
    if (hour >= 100) {
      const value = hour - 100;
      const pm = periodHour >= 12;
      hour = pm && value < 12 ? value + 12 : !pm && value === 12 ? 0 : value;
    } else if (hour < 0) hour = periodHour < 0 ? 0 : periodHour;
    if (minute > 59 || second > 59) return null;
    return {
      year,
      month,
      day,
      hour,
      minute: minute < 0 ? 0 : minute,
      second: second < 0 ? 0 : second,
      millisecond: 0,
    };
  };
}

/** Where a token's reading ends when it starts at `at`, or -1 when it reads nothing there. */
type Scan = (text: string, at: number) => number;

/** One step of a compiled pattern: literal text, or a field's token. */
interface Step {
  literal: string | null;
  field: Field;
  scan: Scan;
  /** Whether the token reads a name (a month's or a day period's) rather than digits. */
  names: boolean;
}

const NO_SCAN: Scan = () => -1;
const TRAILING_SPACE = /\s*$/y;

/** The field a token reads, null for literal text, undefined for a token left to date-fns. */
function fieldOf(token: string): Field | null | undefined {
  const letter = token[0];
  if (token === "''" || letter === "'" || !LATIN.test(letter)) return null;
  if (token.length > 1 && token[1] !== letter) return undefined; // an ordinal (`do`)
  switch (letter) {
    case "y":
      return token === "yy" ? "twoDigitYear" : "year";
    case "M":
      return "month";
    case "d":
      return "day";
    case "H":
      return "hour";
    case "h":
      return "hour12";
    case "m":
      return "minute";
    case "s":
      return "second";
    case "a":
      return "period";
    default:
      return undefined;
  }
}

/** The scanner of a field token: what date-fns' expression for it matches (parse/_lib). */
function scannerOf(token: string): Scan {
  const n = token.length;
  switch (token[0]) {
    case "y":
      return digits(n === 1 ? 4 : n); // y: \d{1,4}; yy…: \d{1,n}
    case "M":
      if (n === 1) return oneOrTwoDigits(1, 2, 0); // 1[0-2]|0?\d
      if (n === 2) return digits(2);
      if (n === 3) return monthNames("abbreviated", "narrow");
      if (n === 5) return monthNames("narrow");
      return monthNames("wide", "abbreviated", "narrow");
    case "d":
      return n === 1 ? oneOrTwoDigits(3, 1, 2) : digits(n); // 3[0-1]|[0-2]?\d
    case "H":
      return n === 1 ? oneOrTwoDigits(2, 3, 1) : digits(n); // 2[0-3]|[0-1]?\d
    case "h":
      return n === 1 ? oneOrTwoDigits(1, 2, 0) : digits(n); // 1[0-2]|0?\d
    case "m":
    case "s":
      return n === 1 ? oneOrTwoDigits(NONE, 0, 5) : digits(n); // [0-5]?\d
    default: { // a: the locale's expressions themselves, tried in date-fns' order
      const period = new RegExp(n === 5 ? PERIOD_NARROW : `${PERIOD_ANY}|${PERIOD_NARROW}`, "iy");
      return (text, at) => {
        period.lastIndex = at;
        const match = period.exec(text);
        return match === null ? -1 : at + match[0].length;
      };
    }
  }
}

/** No lead digit: `[0-5]?\d`. */
const NONE = -100;

/** `\d{1,max}`. */
function digits(max: number): Scan {
  return (text, at) => {
    let end = at;
    while (end - at < max && isDigit(text.charCodeAt(end))) end++;
    return end > at ? end : -1;
  };
}

/** `L[0-leadMax]|[0-optionalMax]?\d`, L the digit `lead`: a regular expression's first choice. */
function oneOrTwoDigits(lead: number, leadMax: number, optionalMax: number): Scan {
  return (text, at) => {
    // Past the end charCodeAt is NaN, which no comparison takes.
    const first = text.charCodeAt(at) - 48;
    const second = text.charCodeAt(at + 1) - 48;
    if (first === lead && second >= 0 && second <= leadMax) return at + 2;
    if (first >= 0 && first <= optionalMax && second >= 0 && second <= 9) return at + 2;
    return first >= 0 && first <= 9 ? at + 1 : -1;
  };
}

/**
 * The month names date-fns' locale matches for one token, widths in its order, each an
 * expression `^(january|february|…)` with the `i` flag: the name the text starts with, ASCII
 * letters in either case (without the `u` flag such an expression folds no other letter onto an
 * ASCII one, and neither does this). No name of a width is a prefix of another of that width,
 * and a wide name begins with its abbreviation, so the first three letters find the only
 * candidate of each width.
 */
function monthNames(...widths: Array<"wide" | "abbreviated" | "narrow">): Scan {
  return (text, at) => {
    const month = at + 3 <= text.length ? MONTH_OF_ABBREVIATION.get(key3(text, at)) : undefined;
    for (const width of widths) {
      if (width === "narrow") {
        if (MONTH_OF_LETTER.has(lower(text.charCodeAt(at)))) return at + 1;
      } else if (month !== undefined) {
        if (width === "abbreviated") return at + 3;
        const wide = MONTHS_WIDE[month - 1];
        if (startsIgnoringCase(text, at, wide)) return at + wide.length;
      }
    }
    return -1;
  };
}

function startsIgnoringCase(text: string, at: number, name: string): boolean {
  if (at + name.length > text.length) return false;
  for (let i = 0; i < name.length; i++) {
    if (lower(text.charCodeAt(at + i)) !== name.charCodeAt(i)) return false;
  }
  return true;
}

/** An ASCII capital's lower case; any other code unit unchanged. */
function lower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** Three code units at `at`, lowered, as one number (a key of MONTH_OF_ABBREVIATION). */
function key3(text: string, at: number): number {
  return lower(text.charCodeAt(at)) * 0x100000000 + lower(text.charCodeAt(at + 1)) * 0x10000 +
    lower(text.charCodeAt(at + 2));
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function digitsValue(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

function conflicts(field: Field, seen: Field[]): boolean {
  const clash: Partial<Record<Field, Field[]>> = {
    year: ["twoDigitYear"],
    twoDigitYear: ["year"],
    hour: ["hour12", "period"],
    hour12: ["hour"],
    period: ["hour"],
  };
  return (clash[field] ?? []).some((f) => seen.includes(f));
}

/** The text a literal token stands for, as date-fns' `cleanEscapedString` reads it. */
function literalOf(token: string): string {
  if (token === "''") return "'";
  if (token[0] !== "'") return token;
  return token.match(/^'([^]*?)'?$/)![1].replace(/''/g, "'");
}

function periodHours(text: string): number {
  for (const [test, hours] of PERIOD_HOURS) if (test.test(text)) return hours;
  return 0;
}

/** date-fns' `normalizeTwoDigitYear` for a current year in the common era. */
function pivotTwoDigitYear(twoDigits: number, currentYear: number): number {
  if (currentYear <= 50) return twoDigits || 100;
  const rangeEnd = currentYear + 50;
  const century = Math.trunc(rangeEnd / 100) * 100;
  return twoDigits + century - (twoDigits >= rangeEnd % 100 ? 100 : 0);
}

function monthDays(year: number, month: number): number {
  if (month !== 2) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return year % 400 === 0 || (year % 4 === 0 && year % 100 !== 0) ? 29 : 28;
}

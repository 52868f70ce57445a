/**
 * A column's date pattern compiled once into one regular expression: the fast reader of
 * `formats`, with date-fns' `parse` as its reference. date-fns tokenises the pattern and builds
 * a `Date` through a dozen setters on every call (14–30 µs a value), which made a date column
 * with `formats` cost ~13× a row on the benchmark's million rows (docs/performance.md); the
 * compiled reader reads the same values the same way in well under a microsecond.
 *
 * It covers the tokens real files use: `y` (any length; `yy` is a two-digit year, pivoted as
 * date-fns does), `M` to `MMMMM` (English month names as date-fns' default locale reads them),
 * `d`, `H`, `h`, `a`, `m`, `s` (one or more letters) and literal text, quoted or not. A pattern
 * with any other token gets null, and the caller reads it with date-fns itself.
 *
 * Equivalence is by construction and tested (date_patterns_test.ts): date-fns reads a pattern
 * token by token, each with a regular expression anchored where the previous one stopped and
 * never backtracking into an earlier token. Here each token's expression is the same one, made
 * atomic as `(?=(…))\N` (the lookahead matches as date-fns' expression does, the backreference
 * consumes exactly that and cannot be re-matched shorter), so the one expression accepts and
 * splits a value exactly as the token-by-token reading does; the checks after it are date-fns'
 * setters' checks (month 1–12, the day within the month of that year, hours, minutes, seconds,
 * a year above 0 unless two-digit). Unlike date-fns, the reading does not pass through the
 * process's local time zone, so a wall time that the server's own zone skips is kept as
 * written (it is read in the column's `timezone` afterwards).
 *
 * This module is browser compatible.
 *
 * @module
 */

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
const MONTHS_WIDE = "january|february|march|april|may|june|july|august|september|october|" +
  "november|december";
const MONTHS_ABBREVIATED = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec";
const MONTHS_NARROW = "j|f|m|a|s|o|n|d";
const PERIOD_ANY = "(?:a|p)\\.?\\s?m\\.?|midnight|noon|(?:in the|at) " +
  "(?:morning|afternoon|evening|night)";
const PERIOD_NARROW = "a|p|mi|n|(?:in the|at) (?:morning|afternoon|evening|night)";

/** A matched month name (lower case) to its month, 1–12, as date-fns' parse patterns map it. */
const MONTH_OF = new Map<string, number>([
  ...MONTHS_WIDE.split("|").map((name, i) => [name, i + 1] as const),
  ...MONTHS_ABBREVIATED.split("|").map((name, i) => [name, i + 1] as const),
  // A single letter is the narrow width, whose parse patterns take the first month it begins.
  ...MONTHS_NARROW.split("|").map((letter) =>
    [
      letter,
      [1, 2, 3, 4, 9, 10, 11, 12][
        "jfmasond".indexOf(letter)
      ],
    ] as const
  ),
]);

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
  const fields: Field[] = [];
  let source = "^";
  let monthIsName = false;
  for (const token of pattern.match(TOKEN) ?? []) {
    const field = fieldOf(token);
    if (field === undefined) return null;
    if (field === null) {
      source += escape(literalOf(token));
      continue;
    }
    // date-fns refuses a field twice and a 12-hour clock beside a 24-hour one.
    if (fields.includes(field) || conflicts(field, fields)) return null;
    fields.push(field);
    if (field === "month") monthIsName = token.length > 2;
    source += `(?=(${expressionOf(token)}))\\${fields.length}`;
  }
  // date-fns accepts trailing whitespace, nothing else.
  const expression = new RegExp(`${source}\\s*$`);
  const index = (field: Field) => fields.indexOf(field) + 1;
  const [year, twoDigitYear, month, day, hour, hour12, minute, second, period] = [
    index("year"),
    index("twoDigitYear"),
    index("month"),
    index("day"),
    index("hour"),
    index("hour12"),
    index("minute"),
    index("second"),
    index("period"),
  ];
  return (text) => {
    const m = expression.exec(text);
    if (m === null) return null;
    let y = referenceYear;
    if (twoDigitYear) y = pivotTwoDigitYear(Number(m[twoDigitYear]), referenceYear);
    else if (year) {
      y = Number(m[year]);
      if (y <= 0) return null;
    }
    let mo = 1;
    if (month) {
      const value = monthIsName ? MONTH_OF.get(m[month].toLowerCase())! : Number(m[month]);
      if (value < 1 || value > 12) return null;
      mo = value;
    }
    let d = 1;
    if (day) {
      d = Number(m[day]);
      if (d < 1 || d > monthDays(y, mo)) return null;
    }
    let h = period ? periodHours(m[period]) : 0;
    if (hour) {
      h = Number(m[hour]);
      if (h > 23) return null;
    } else if (hour12) {
      const value = Number(m[hour12]);
      if (value < 1 || value > 12) return null;
      const pm = h >= 12;
      h = pm && value < 12 ? value + 12 : !pm && value === 12 ? 0 : value;
    }
    const mi = minute ? Number(m[minute]) : 0;
    const s = second ? Number(m[second]) : 0;
    if (mi > 59 || s > 59) return null;
    return { year: y, month: mo, day: d, hour: h, minute: mi, second: s, millisecond: 0 };
  };
}

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

/** date-fns' expression for a field token (parse/_lib/parsers, constants.js). */
function expressionOf(token: string): string {
  const n = token.length;
  switch (token[0]) {
    case "y":
      return n === 1 ? "\\d{1,4}" : `\\d{1,${n}}`;
    case "M":
      if (n === 1) return "1[0-2]|0?\\d";
      if (n === 2) return "\\d{1,2}";
      if (n === 3) return caseless(`${MONTHS_ABBREVIATED}|${MONTHS_NARROW}`);
      if (n === 5) return caseless(MONTHS_NARROW);
      return caseless(`${MONTHS_WIDE}|${MONTHS_ABBREVIATED}|${MONTHS_NARROW}`);
    case "d":
      return n === 1 ? "3[0-1]|[0-2]?\\d" : `\\d{1,${n}}`;
    case "H":
      return n === 1 ? "2[0-3]|[0-1]?\\d" : `\\d{1,${n}}`;
    case "h":
      return n === 1 ? "1[0-2]|0?\\d" : `\\d{1,${n}}`;
    case "m":
    case "s":
      return n === 1 ? "[0-5]?\\d" : `\\d{1,${n}}`;
    default: // "a"
      return caseless(n === 5 ? PERIOD_NARROW : `${PERIOD_ANY}|${PERIOD_NARROW}`);
  }
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

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** Letters matched in either case without the `i` flag, which would also fold literal text. */
function caseless(source: string): string {
  return source.replace(/\\.|[a-z]/g, (c) => c.length > 1 ? c : `[${c}${c.toUpperCase()}]`);
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

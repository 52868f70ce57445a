/**
 * The compiled date readers against their reference, date-fns' `parse`: for every pattern the
 * fast reader covers, thousands of generated values (valid ones written by date-fns' `format`,
 * every token's values out of range and at its edges, single and double digits, two-digit years
 * around the pivot, Feb 29, month names and day periods in any case and width, surrounding
 * spaces, and each of those with a character dropped, doubled or replaced) must read to the same
 * fields, or be refused by both. A column's whole reader (ISO first, then every pattern, an
 * ambiguous value refused) is compared with the same reading done by date-fns alone.
 *
 * date-fns builds its reading in the process's local time; the comparison reads its local
 * fields, which are the value as written in any zone without a daylight-saving gap at the
 * generated times (UTC here).
 */
import { format, isValid, parse } from "date-fns";
import { assert, assertEquals, test } from "../../tests/assert.ts";
import { CellFailure } from "./cell_failure.ts";
import { compileDateFormats, compileDateTimeFormats } from "./date_formats.ts";
import { compileDatePattern, type WallTime } from "./date_patterns.ts";
import { parseIsoDate } from "./iso_dates.ts";

const DATE_PATTERNS = [
  "MMM d yyyy",
  "MMMM d, yyyy",
  "dd/MM/yyyy",
  "d.M.yyyy",
  "M/d/yy",
  "MM/dd/yyyy",
  "yyyyMMdd",
  "d MMM yy",
  "dd-MMM-yyyy",
  "yyyy/M/d",
  "d MMMM y",
  "MMM-yy",
  "MMMMM d y",
  "yyyy-MM",
  "yyyyy-MM-dd",
  "yyy.MM.dd",
  "dd",
  "MMMMMM d yyyy",
  "'Day' d 'of' MMMM, yyyy",
  "d'/'M''yy",
  "dd_MM_yyyy",
  // Digits against digits: each token takes what its expression takes, never giving any back.
  "Mdyy",
  "dMyyyy",
  "yyMd",
  "d/Myyyy",
];
const DATETIME_PATTERNS = [
  "dd.MM.yyyy HH:mm",
  "M/d/yyyy h:mm a",
  "d.M.yy H:m:s",
  "yyyy-MM-dd'T'HH:mm:ss",
  "hh:mm aaaa",
  "h a",
  "aaaaa h:mm",
  "MMM d yyyy hh:mm:ss aa",
  "HH:mm:ss dd.MM.yyyy",
  "yyyyMMddHHmmss",
  "d/M/yyyy h.mm aaa",
  "a",
  "Hmm",
  "hmma",
  "Hms d.M.y",
  "hms",
];
/** Reference years around the two-digit pivot (date-fns reads `yy` within ±50 years of it). */
const REFERENCE_YEARS = [2026, 2050, 2051, 1999];

test("compileDatePattern - reads every generated value as date-fns' parse does", () => {
  const random = seeded(20);
  let compared = 0;
  let valid = 0;
  for (const pattern of [...DATE_PATTERNS, ...DATETIME_PATTERNS]) {
    for (const year of REFERENCE_YEARS) {
      const reference = referenceDate(year);
      const read = compileDatePattern(pattern, year);
      if (read === null) throw new Error(`"${pattern}" should have a fast reader`);
      for (const text of values(pattern, random)) {
        const expected = parse(text, pattern, reference);
        const actual = read(text);
        const message = `"${text}" under "${pattern}" (reference ${year})`;
        if (!isValid(expected)) assertEquals(actual, null, message);
        else {
          assertEquals(actual, fieldsOf(expected), message);
          valid++;
        }
        compared++;
      }
    }
  }
  // The generator must reach both sides of every pattern, not refuse nearly everything.
  assert(valid > compared / 5, `${valid} valid of ${compared}`);
});

test("compileDatePattern - leaves tokens it does not cover to date-fns", () => {
  for (
    const pattern of [
      "do MMM yyyy",
      "P",
      "PPpp",
      "EEE, d MMM yyyy",
      "dd/MM/yyyy HH:mm:ss.SSS",
      "LLL d",
      "yyyy-MM-dd'T'HH:mmXXX",
      "D.yyyy",
      "K:mm a",
      "k:mm",
    ]
  ) {
    assertEquals(compileDatePattern(pattern, 2026), null, pattern);
  }
});

test("compileDateFormats - a column reads as date-fns alone would, ambiguity included", () => {
  const random = seeded(21);
  const columns = [
    ["dd/MM/yyyy", "MM/dd/yyyy"],
    ["d.M.yyyy", "M.d.yyyy", "yyyy.M.d"],
    ["M/d/yy", "d/M/yy", "yy/M/d"],
    ["MMM d yyyy", "dd.MM.yyyy"],
    ["MMMM d, yyyy", "MMM d, yyyy", "d MMM yyyy"],
    ["dd/MM/yyyy", "EEE dd/MM/yyyy"], // one pattern read by date-fns itself
  ];
  const year = new Date().getFullYear();
  for (const formats of columns) {
    const read = compileDateFormats(formats);
    const texts = formats.flatMap((p) => values(p, random));
    let ambiguous = 0;
    for (const text of texts) {
      const expected = referenceColumn(text, formats, referenceDate(year));
      const actual = read(text);
      if (actual instanceof CellFailure && actual.message.startsWith("Ambiguous")) ambiguous++;
      assertEquals(
        actual instanceof CellFailure ? actual.message : actual,
        expected,
        `"${text}" under ${formats.join(", ")}`,
      );
    }
    if (formats[0] === "dd/MM/yyyy" && formats[1] === "MM/dd/yyyy") assert(ambiguous > 0);
  }
});

test("compileDateTimeFormats - wall times in a zone and ambiguity as with date-fns", () => {
  const read = compileDateTimeFormats(["dd/MM/yyyy HH:mm", "MM/dd/yyyy HH:mm"], "Europe/Berlin");
  assertEquals(read("25/12/2024 18:30"), "2024-12-25T17:30:00.000Z");
  assertEquals(read(" 12/25/2024 18:30 "), "2024-12-25T17:30:00.000Z");
  // 02:30 on the night clocks go forward in Berlin: read with the offset before the change.
  assertEquals(read("31/03/2024 02:30"), "2024-03-31T01:30:00.000Z");
  const ambiguous = read("01/02/2024 08:00");
  assertEquals(
    ambiguous instanceof CellFailure ? ambiguous.message : ambiguous,
    `Ambiguous date "01/02/2024 08:00": it reads as 2024-02-01T07:00:00.000Z (dd/MM/yyyy HH:mm) ` +
      `and as 2024-01-02T07:00:00.000Z (MM/dd/yyyy HH:mm); write it YYYY-MM-DD`,
  );
  const twelve = compileDateTimeFormats(["M/d/yyyy h:mm a"], "UTC");
  assertEquals(twelve("1/1/2024 12:05 AM"), "2024-01-01T00:05:00.000Z");
  assertEquals(twelve("1/1/2024 12:05 p.m."), "2024-01-01T12:05:00.000Z");
  assertEquals(twelve("1/1/2024 7:05 in the evening"), "2024-01-01T19:05:00.000Z");
  assert(twelve("1/1/2024 13:05 PM") instanceof CellFailure);
});

/** The reading of a `date` column as it was done with date-fns' `parse` for every pattern. */
function referenceColumn(text: string, formats: string[], reference: Date): string {
  const trimmed = text.trim();
  const iso = parseIsoDate(trimmed);
  if (iso !== null) return iso;
  let found: [string, string] | null = null;
  for (const pattern of formats) {
    const date = parse(trimmed, pattern, reference);
    if (!isValid(date) || date.getFullYear() < 1 || date.getFullYear() > 9999) continue;
    const reading = format(date, "yyyy-MM-dd");
    if (found === null) found = [reading, pattern];
    else if (found[0] !== reading) {
      return `Ambiguous date "${trimmed}": it reads as ${found[0]} (${found[1]}) and as ` +
        `${reading} (${pattern}); write it YYYY-MM-DD`;
    }
  }
  return found?.[0] ?? `Must be a real date written YYYY-MM-DD or ${formats.join(" or ")}`;
}

function referenceDate(year: number): Date {
  const date = new Date(2000, 0, 1);
  date.setFullYear(year);
  return date;
}

function fieldsOf(date: Date): WallTime {
  return {
    year: date.getFullYear(),
    month: date.getMonth() + 1,
    day: date.getDate(),
    hour: date.getHours(),
    minute: date.getMinutes(),
    second: date.getSeconds(),
    millisecond: date.getMilliseconds(),
  };
}

// Values a token may be written as: in range, at and past its edges, padded or not, any case.
const NAMES = [
  "Jan",
  "jan",
  "JAN",
  "January",
  "JANUARY",
  "Feb",
  "February",
  "Mar",
  "march",
  "Apr",
  "April",
  "May",
  "Jun",
  "June",
  "Jul",
  "July",
  "Aug",
  "august",
  "Sep",
  "Sept",
  "September",
  "Oct",
  "October",
  "Nov",
  "November",
  "Dec",
  "December",
  "J",
  "F",
  "M",
  "A",
  "S",
  "O",
  "N",
  "D",
  "j",
  "m",
  "a",
  "Ja",
  "Ma",
  "Mayo",
  "Junio",
  "X",
  "",
];
const PERIODS = [
  "AM",
  "PM",
  "am",
  "pm",
  "a.m.",
  "p.m.",
  "A.M.",
  "a m",
  "p. m.",
  "a",
  "p",
  "A",
  "P",
  "mi",
  "midnight",
  "Midnight",
  "noon",
  "NOON",
  "n",
  "in the morning",
  "in the afternoon",
  "in the evening",
  "at night",
  "at morning",
  "In The Evening",
  "x",
  "",
];
const NUMBERS: Record<string, string[]> = {
  y: ["2024", "2000", "1900", "2100", "1999", "0001", "0000", "1", "99", "999", "12345", "024", ""],
  yy: ["00", "24", "49", "50", "51", "75", "76", "77", "99", "0", "5", "100", "2024", ""],
  M: ["1", "01", "9", "09", "10", "12", "0", "00", "13", "2", "02", "001", ""],
  d: ["1", "01", "9", "28", "29", "30", "31", "32", "0", "00", "3", "35", "001", ""],
  H: ["0", "00", "9", "09", "12", "23", "24", "25", "7", "007", ""],
  h: ["1", "01", "9", "11", "12", "13", "0", "00", "7", ""],
  m: ["0", "00", "5", "05", "59", "60", "61", "99", "7", ""],
};

function tokenValues(token: string): string[] {
  const letter = token[0];
  if (letter === "M" && token.length > 2) return NAMES;
  if (letter === "a") return PERIODS;
  if (letter === "y" && token === "yy") return NUMBERS.yy;
  return NUMBERS[letter === "s" ? "m" : letter] ?? [];
}

/** Generated values for `pattern`: ~300 written by `format`, ~600 built token by token. */
function values(pattern: string, random: () => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < 100; i++) {
    const date = new Date(2000, 0, 1);
    date.setFullYear(1950 + Math.floor(random() * 120), random() * 12, 1 + random() * 31);
    date.setHours(random() * 24, random() * 60, random() * 60);
    if (i % 10 === 0) date.setFullYear([2024, 2000, 1900, 2023][i / 10 % 4], 1, 29);
    const text = format(date, pattern);
    out.push(text, mutate(text, random), mutate(text, random));
  }
  const tokens = pattern.match(/(\w)\1*|''|'(''|[^'])+('|$)|./g) ?? [];
  for (let i = 0; i < 200; i++) {
    const text = tokens.map((token) => {
      const choices = tokenValues(token);
      if (choices.length === 0) return token === "''" ? "'" : token.replace(/^'|'$/g, "");
      return choices[Math.floor(random() * choices.length)];
    }).join("");
    out.push(text, mutate(text, random), ` ${text}`);
  }
  return out;
}

/** `text` with one edit: a character dropped, doubled or replaced, spaces, or a change of case. */
function mutate(text: string, random: () => number): string {
  const at = Math.floor(random() * text.length);
  const replacement = "0123456789 /.-:aApPmMxJ\t"[Math.floor(random() * 24)];
  switch (Math.floor(random() * 8)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + text[at] + text.slice(at);
    case 2:
      return text.slice(0, at) + replacement + text.slice(at + 1);
    case 3:
      return `${text}  `;
    case 4:
      return `  ${text}\t`;
    case 5:
      return text.toUpperCase();
    case 6:
      return text.toLowerCase();
    default:
      return `${text}${replacement}`;
  }
}

/** A small seeded generator (mulberry32), so a failure reproduces. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

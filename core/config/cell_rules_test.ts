import { assert, assertEquals, assertMatch, test } from "../../tests/assert.ts";
import { CellFailure, type CellRule, compileCellRule, type RowErrorCode } from "./cell_rules.ts";
import { resolveUploadType } from "./upload_type_schema.ts";

/** The compiled rule of one column, resolved through the config schema like real config. */
function rule(column: Record<string, unknown>): CellRule {
  const type = resolveUploadType({
    name: "t",
    label: "T",
    table: "t",
    key: ["id"],
    columns: [{ name: "id", type: "text", required: true }, { name: "c", ...column }],
  }, "t.ts");
  return compileCellRule(type.columns[1]);
}

function accepts(r: CellRule, cases: Array<[string, unknown]>): void {
  for (const [raw, expected] of cases) {
    const value = r(raw);
    assert(
      !(value instanceof CellFailure),
      `${JSON.stringify(raw)}: ${(value as CellFailure)?.message}`,
    );
    assertEquals(value, expected, `value of ${JSON.stringify(raw)}`);
  }
}

/** Expects `raw` to fail with `code`; returns the message, which must be plain words. */
function refuses(r: CellRule, raw: string, code: RowErrorCode, pattern?: RegExp): string {
  const value = r(raw);
  assert(value instanceof CellFailure, `${JSON.stringify(raw)} was accepted as ${value}`);
  assertEquals(value.code, code, `code of ${JSON.stringify(raw)}: ${value.message}`);
  assertMatch(value.message, /^[A-Z][^\n]+$/);
  if (pattern) assertMatch(value.message, pattern);
  return value.message;
}

test("integer: whole numbers with an optional sign, trimmed", () => {
  const r = rule({ type: "integer" });
  accepts(r, [["42", 42], ["+7", 7], ["-3", -3], [" 12 ", 12], ["007", 7], ["0", 0]]);
  for (const raw of ["1.5", "1e3", "abc", "1 000", "0x10", "--1"]) {
    refuses(r, raw, "type", /^Must be a whole number/);
  }
  refuses(r, "9007199254740993", "max");
  refuses(r, "-9007199254740993", "min");
});

test("integer: min and max", () => {
  const r = rule({ type: "integer", min: 1990, max: 2100 });
  accepts(r, [["1990", 1990], ["2100", 2100]]);
  refuses(r, "1989", "min", /^Must be at least 1990$/);
  refuses(r, "2101", "max", /^Must be at most 2100$/);
  refuses(r, "99999999999999999999", "max", /at most 2100/);
});

test("integer: thousands separators get a hint", () => {
  const r = rule({ type: "integer" });
  refuses(r, "1,234", "type", /write 1234 \(no thousands separators\)/);
  refuses(r, "1,234,567", "type", /write 1234567/);
  refuses(r, "1,5", "type", /^Must be a whole number$/);
});

test("number: exact decimal text, as written", () => {
  const r = rule({ type: "number" });
  accepts(r, [
    ["1.10", "1.10"],
    ["+2", "2"],
    ["1e3", "1000"],
    ["1.5E-2", "0.015"],
    ["-0.5", "-0.5"],
    ["-0", "0"],
    [".5", "0.5"],
    ["007.50", "7.50"],
    [" 3 ", "3"],
  ]);
  for (const raw of ["abc", "1.2.3", "e5", "NaN", "Infinity", "1 000", "."]) {
    refuses(r, raw, "type", /^Must be a number/);
  }
});

test("number: decimal commas and thousands separators get a hint", () => {
  const r = rule({ type: "number" });
  refuses(r, "1,5", "type", /write 1\.5 \(no thousands separators, and a dot for decimals\)/);
  refuses(r, "1,234", "type", /write 1234 or 1\.234/);
  refuses(r, "1,234.5", "type", /write 1234\.5/);
  refuses(r, "1.234,5", "type", /write 1234\.5/);
});

test("number: min and max compare exactly", () => {
  const r = rule({ type: "number", min: -90, max: 90 });
  accepts(r, [["90", "90"], ["90.000", "90.000"], ["-90", "-90"], ["9e1", "90"]]);
  refuses(r, "90.0000000000000000001", "max", /^Must be at most 90$/);
  refuses(r, "-90.5", "min", /^Must be at least -90$/);
  refuses(r, "1e400", "max");
  const zero = rule({ type: "number", min: 0 });
  accepts(zero, [["0", "0"], ["-0", "0"]]);
  refuses(zero, "-0.001", "min", /at least 0/);
});

test("boolean: true/false, yes/no, y/n and 1/0 in any case", () => {
  const r = rule({ type: "boolean" });
  accepts(r, [
    ["true", true],
    ["TRUE", true],
    ["Yes", true],
    ["y", true],
    ["1", true],
    [" True ", true],
    ["false", false],
    ["False", false],
    ["NO", false],
    ["n", false],
    ["0", false],
  ]);
  for (const raw of ["t", "2", "on", "yess", "-1"]) {
    refuses(r, raw, "type", /^Must be true or false/);
  }
});

test("date: real calendar dates written YYYY-MM-DD only", () => {
  const r = rule({ type: "date" });
  accepts(r, [["2024-01-31", "2024-01-31"], ["2024-02-29", "2024-02-29"], [
    " 2000-02-29",
    "2000-02-29",
  ]]);
  for (
    const raw of [
      "2023-02-30",
      "2023-02-29",
      "1900-02-29",
      "2024-13-01",
      "2024-04-31",
      "2024-1-5",
      "31/01/2024",
      "2024-01-31T00:00:00Z",
      "0000-01-01",
    ]
  ) {
    refuses(r, raw, "type", /^Must be a real date written YYYY-MM-DD/);
  }
  refuses(r, "2024-1-5", "type", /^Must be a real date written YYYY-MM-DD: write 2024-01-05$/);
  refuses(r, "31/01/2024", "type", /: write 2024-01-31$/);
  refuses(r, "02/01/2024", "type", /: write 2024-01-02 or 2024-02-01$/);
  refuses(r, "2023-02-30", "type", /^Must be a real date written YYYY-MM-DD, e\.g\. 2024-01-31$/);
});

test("date: min and max", () => {
  const r = rule({ type: "date", min: "2000-01-01", max: "2024-12-31" });
  accepts(r, [["2000-01-01", "2000-01-01"], ["2024-12-31", "2024-12-31"]]);
  refuses(r, "1999-12-31", "min", /^Must be on or after 2000-01-01$/);
  refuses(r, "2025-01-01", "max", /^Must be on or before 2024-12-31$/);
});

test("datetime: ISO 8601 with a zone, normalized to UTC", () => {
  const r = rule({ type: "datetime" });
  accepts(r, [
    ["2024-01-31T12:00:00Z", "2024-01-31T12:00:00.000Z"],
    ["2024-01-31t12:00z", "2024-01-31T12:00:00.000Z"],
    ["2024-01-31T13:30:00+01:00", "2024-01-31T12:30:00.000Z"],
    ["2024-01-31 13:30:00+0100", "2024-01-31T12:30:00.000Z"],
    ["2024-01-31T23:30:00-02", "2024-02-01T01:30:00.000Z"],
    ["2024-01-31T12:00:00.5Z", "2024-01-31T12:00:00.500Z"],
    ["2024-01-31T12:00:00.123456Z", "2024-01-31T12:00:00.123456Z"],
  ]);
  for (
    const raw of [
      "2024-01-31T12:00:00",
      "2024-01-31",
      "2024-02-30T00:00:00Z",
      "2024-01-31T24:00:00Z",
      "2024-01-31T12:00:00+19:00",
      "yesterday",
    ]
  ) {
    refuses(r, raw, "type", /^Must be a date and time in ISO 8601 with a time zone/);
  }
});

test("datetime: min and max compare instants", () => {
  const r = rule({ type: "datetime", min: "2024-01-01T00:00:00Z", max: "2024-12-31T23:59:59Z" });
  accepts(r, [["2024-01-01T01:00:00+01:00", "2024-01-01T00:00:00.000Z"]]);
  refuses(r, "2024-01-01T00:59:59+01:00", "min", /^Must be on or after/);
  refuses(r, "2024-12-31T23:59:59.5Z", "max", /^Must be on or before/);
});

test("enum: any case, stored as the configured value", () => {
  const r = rule({ type: "enum", values: ["CO2", "NOx", "pm25"] });
  accepts(r, [["CO2", "CO2"], ["co2", "CO2"], [" nox ", "NOx"], ["PM25", "pm25"]]);
  refuses(r, "CO", "enum", /^Must be one of CO2, NOx, pm25$/);
  refuses(r, "C O2", "enum");
});

test("email", () => {
  const r = rule({ type: "email" });
  accepts(r, [["name@example.com", "name@example.com"], [
    " a.b+c@mail.example.org ",
    "a.b+c@mail.example.org",
  ]]);
  for (
    const raw of ["name", "name@", "@example.com", "name@example", "a b@example.com", "a@b@c.com"]
  ) {
    refuses(r, raw, "type", /^Must be an email address/);
  }
});

test("text: pattern and maxLength (in characters)", () => {
  const r = rule({ type: "text", pattern: "^[A-Z]{3}-[0-9]{6}$", maxLength: 10 });
  accepts(r, [["ABC-000123", "ABC-000123"], [" ABC-000123 ", "ABC-000123"]]);
  refuses(r, "abc-000123", "pattern", /^Must match the pattern/);
  refuses(r, "ABCD-000123", "max_length", /^Must be at most 10 characters$/);
  const emoji = rule({ type: "text", maxLength: 2 });
  accepts(emoji, [["😀😀", "😀😀"]]);
  refuses(emoji, "😀😀😀", "max_length");
});

test("text: a pattern must match the whole cell", () => {
  const r = rule({ type: "text", pattern: "[A-Z]{3}" });
  accepts(r, [["ABC", "ABC"]]);
  refuses(r, "xxABCxx", "pattern");
  refuses(r, "ABCD", "pattern");
  const alternatives = rule({ type: "text", pattern: "a|b" });
  accepts(alternatives, [["a", "a"], ["b", "b"]]);
  refuses(alternatives, "ab", "pattern");
});

test("empty cells: null, the default, or required", () => {
  assertEquals(rule({ type: "integer" })(""), null);
  assertEquals(rule({ type: "text" })("   "), null);
  assertEquals(rule({ type: "integer", default: 5 })(""), 5);
  assertEquals(rule({ type: "number", default: "1.50" })(" "), "1.50");
  assertEquals(rule({ type: "boolean", default: false })(""), false);
  assertEquals(rule({ type: "enum", values: ["On", "Off"], default: "on" })(""), "On");
  assertEquals(rule({ type: "text", default: "n/a" })("given"), "given");
  refuses(rule({ type: "integer", required: true }), "", "required", /^A value is required$/);
  refuses(rule({ type: "text", required: true }), " \t ", "required");
  refuses(rule({ type: "text", required: true, normalize: "upper" }), "  ", "required");
});

test("normalize: upper and lower before the checks; no trim when not asked", () => {
  const upper = rule({ type: "text", normalize: ["trim", "upper"], pattern: "^[A-Z]+$" });
  accepts(upper, [[" abc ", "ABC"]]);
  const lower = rule({ type: "email", normalize: ["trim", "lower"] });
  accepts(lower, [[" Name@Example.COM ", "name@example.com"]]);
  const raw = rule({ type: "text", normalize: "upper" });
  accepts(raw, [[" ab ", " AB "]]);
  const enumUpper = rule({ type: "enum", values: ["A"], normalize: "lower" });
  accepts(enumUpper, [["A", "A"], ["a", "A"]]);
});

test("nullValues: a marker, once trimmed, is an empty cell; the column's list replaces the type's", () => {
  const optional = rule({ type: "integer", nullValues: ["NA", "-"] });
  accepts(optional, [["NA", null], [" - ", null], ["", null], ["12", 12]]);
  refuses(optional, "na", "type"); // markers are exact, case included
  const required = rule({ type: "integer", required: true, nullValues: ["NA"] });
  refuses(required, "NA", "required");
  refuses(required, "", "required");
  const withDefault = rule({ type: "text", default: "none", nullValues: ["N/A"] });
  accepts(withDefault, [["N/A", "none"], ["x", "x"]]);
  const lower = rule({ type: "text", case: "lower", nullValues: ["NA"] });
  accepts(lower, [["NA", null], ["Nairobi", "nairobi"]]);

  const type = resolveUploadType({
    name: "t",
    label: "T",
    table: "t",
    key: ["id"],
    nullValues: ["", "NA"],
    columns: [
      { name: "id", type: "text", required: true },
      { name: "a", type: "text" },
      { name: "b", type: "text", nullValues: ["null"] },
    ],
  }, "t.ts");
  accepts(compileCellRule(type.columns[1]), [["NA", null], ["null", "null"]]);
  accepts(compileCellRule(type.columns[2]), [["NA", "NA"], ["null", null], ["", null]]);
});

test("formats: date patterns tried after ISO, the result always YYYY-MM-DD", () => {
  const r = rule({ type: "date", formats: ["MMM d yyyy", "d.M.yyyy", "M/d/yy"] });
  accepts(r, [
    ["Jan 1 2000", "2000-01-01"],
    ["Dec 31 1999", "1999-12-31"],
    ["31.12.1999", "1999-12-31"],
    ["1/2/99", "1999-01-02"],
    ["2024-02-29", "2024-02-29"],
    [" Feb 29 2024 ", "2024-02-29"],
  ]);
  refuses(r, "Feb 30 2023", "type", /YYYY-MM-DD or MMM d yyyy or d\.M\.yyyy or M\/d\/yy/);
  refuses(r, "2000/01/01", "type");
  const ranged = rule({ type: "date", formats: ["dd/MM/yyyy"], min: "2000-01-01" });
  refuses(ranged, "31/12/1999", "min", /on or after 2000-01-01/);
  accepts(ranged, [["01/01/2000", "2000-01-01"]]);
});

test("formats: a value two patterns read differently is refused as ambiguous", () => {
  const r = rule({ type: "date", formats: ["dd/MM/yyyy", "MM/dd/yyyy"] });
  refuses(
    r,
    "01/02/2000",
    "type",
    /^Ambiguous date "01\/02\/2000": it reads as 2000-02-01 \(dd\/MM\/yyyy\) and as 2000-01-02 \(MM\/dd\/yyyy\)/,
  );
  // Only one reading is a real date, or both agree: not ambiguous.
  accepts(r, [["31/01/2000", "2000-01-31"], ["01/31/2000", "2000-01-31"], [
    "05/05/2000",
    "2000-05-05",
  ]]);
  // The second time (from the column's cache) says the same.
  refuses(r, "01/02/2000", "type", /^Ambiguous/);
});

test("datetime: formats and a timezone read wall times as instants", () => {
  const berlin = rule({ type: "datetime", timezone: "Europe/Berlin", formats: ["d.M.yyyy HH:mm"] });
  accepts(berlin, [
    ["1.7.2024 14:30", "2024-07-01T12:30:00.000Z"], // summer: +02:00
    ["1.1.2024 14:30", "2024-01-01T13:30:00.000Z"], // winter: +01:00
    ["2024-01-01T14:30:00", "2024-01-01T13:30:00.000Z"], // ISO without an offset
    ["2024-01-01T14:30:00Z", "2024-01-01T14:30:00.000Z"], // an offset wins
    ["31.3.2024 02:30", "2024-03-31T01:30:00.000Z"], // skipped by the spring change: 03:30
    ["27.10.2024 02:30", "2024-10-27T00:30:00.000Z"], // repeated in autumn: the first
  ]);
  refuses(berlin, "1.7.2024", "type", /d\.M\.yyyy HH:mm/);
  const offset = rule({ type: "datetime", formats: ["yyyy-MM-dd HH:mm XXX"] });
  accepts(offset, [["2024-01-01 10:00 +02:00", "2024-01-01T08:00:00.000Z"]]);
  refuses(offset, "2024-01-01T10:00:00", "type");
});

test("numbers: decimal comma with thousands dots, exact", () => {
  const r = rule({ type: "number", decimalSeparator: ",", thousandsSeparator: "." });
  accepts(r, [
    ["1.234,5", "1234.5"],
    ["1.234.567,891", "1234567.891"],
    ["-0,10", "-0.10"],
    ["12", "12"],
    ["1234,5", "1234.5"],
    ["0,1000000000000000000001", "0.1000000000000000000001"],
  ]);
  refuses(r, "1.5", "type", /^Must be a number written like 1\.234,5$/);
  refuses(r, "1.2345,6", "type");
  refuses(r, "1,234.5", "type");
  refuses(r, "1,2,3", "type");
  const whole = rule({ type: "integer", thousandsSeparator: ",", min: 0 });
  accepts(whole, [["1,234", 1234], ["12", 12]]);
  refuses(whole, "1,234.5", "type", /whole number written like 1,234$/);
  refuses(whole, "-1,000", "min");
  const spaced = rule({ type: "number", decimalSeparator: ",", thousandsSeparator: " " });
  accepts(spaced, [["1 234,5", "1234.5"], ["1\u00a0234,5", "1234.5"], ["1\u202f234", "1234"]]);
});

test("numbers: percent and currency", () => {
  const pct = rule({ type: "number", percent: true, max: 1 });
  accepts(pct, [["12.5%", "0.125"], ["12.5 %", "0.125"], ["0.3", "0.3"], ["-5%", "-0.05"]]);
  refuses(pct, "150%", "max");
  refuses(pct, "%", "type");
  const money = rule({
    type: "number",
    currency: ["$", "US$", "EUR", "€"],
    thousandsSeparator: ",",
  });
  accepts(money, [
    ["$1,200.50", "1200.50"],
    ["US$ 3", "3"],
    ["-$5", "-5"],
    ["$-5", "-5"],
    ["12 EUR", "12"],
    ["€7", "7"],
  ]);
  refuses(money, "£5", "type");
  refuses(money, "$$5", "type");
  const typeWide = resolveUploadType({
    name: "t",
    label: "T",
    table: "t",
    key: ["id"],
    decimalSeparator: ",",
    columns: [
      { name: "id", type: "text", required: true },
      { name: "n", type: "number", default: 0.5, example: 2.5 },
      { name: "m", type: "number", decimalSeparator: "." },
    ],
  }, "t.ts");
  accepts(compileCellRule(typeWide.columns[1]), [["2,5", "2.5"], ["", "0.5"]]);
  accepts(compileCellRule(typeWide.columns[2]), [["2.5", "2.5"]]);
});

test("booleans: declared words replace the defaults, any case", () => {
  const r = rule({ type: "boolean", trueValues: ["Ja", "J"], falseValues: ["Nein", "N"] });
  accepts(r, [["ja", true], ["JA", true], ["j", true], ["Nein", false], ["n", false]]);
  refuses(r, "yes", "type", /^Must be true \(Ja, J\) or false \(Nein, N\)$/);
  const onlyTrue = rule({ type: "boolean", trueValues: ["x"] });
  accepts(onlyTrue, [["X", true], ["no", false]]);
  refuses(onlyTrue, "yes", "type");
});

test("valueMap, trim and case: words normalised before the checks", () => {
  const e = rule({
    type: "enum",
    values: ["CO2", "CH4"],
    valueMap: { "Carbon dioxide": "CO2", "methane": "ch4" },
  });
  accepts(e, [["Carbon dioxide", "CO2"], ["CARBON DIOXIDE", "CO2"], ["Methane", "CH4"], [
    "co2",
    "CO2",
  ]]);
  refuses(e, "Nitrous oxide", "enum");
  const t = rule({ type: "text", valueMap: { "n/a": "unknown" }, pattern: "[a-z]+" });
  accepts(t, [["N/A", "unknown"], ["abc", "abc"]]);
  accepts(rule({ type: "text", case: "upper" }), [[" abc ", "ABC"]]);
  accepts(rule({ type: "text", trim: false }), [[" abc ", " abc "], ["   ", null]]);
  accepts(rule({ type: "text", trim: false, case: "lower" }), [[" AbC", " abc"]]);
});

test("formats: readings stay right past the column's cache of readings", () => {
  const r = rule({ type: "date", formats: ["d.M.yyyy"] });
  const expected = (i: number) => new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10);
  const written = (i: number) => {
    const [y, m, d] = expected(i).split("-").map(Number);
    return `${d}.${m}.${y}`;
  };
  // More distinct dates than the cache holds, then the first ones again (evicted by then).
  for (const i of [...Array(5000).keys(), 0, 1, 2, 4999]) assertEquals(r(written(i)), expected(i));
  refuses(r, "30.2.2000", "type");
});

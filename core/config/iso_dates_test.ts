import { assert, assertEquals, test } from "../../tests/assert.ts";
import {
  compareIsoDateTime,
  daysInMonth,
  parseIsoDate,
  parseIsoDateTime,
  suggestIsoDate,
} from "./iso_dates.ts";

test("daysInMonth() follows the Gregorian leap-year rule", () => {
  assertEquals(daysInMonth(2024, 2), 29);
  assertEquals(daysInMonth(2023, 2), 28);
  assertEquals(daysInMonth(1900, 2), 28);
  assertEquals(daysInMonth(2000, 2), 29);
  assertEquals(daysInMonth(2023, 4), 30);
  assertEquals(daysInMonth(2023, 12), 31);
});

test("parseIsoDate() accepts real calendar dates only", () => {
  for (const text of ["2024-02-29", "0001-01-01", "9999-12-31", "0050-06-15"]) {
    assertEquals(parseIsoDate(text), text);
  }
  for (
    const text of [
      "2023-02-29",
      "2023-02-30",
      "2024-13-01",
      "2024-00-10",
      "2024-01-00",
      "0000-01-01",
      "2024-1-5",
      "2024/01/05",
      "31/01/2024",
      "2024-01-05T00:00",
      "2024-01-0a",
      "",
    ]
  ) {
    assertEquals(parseIsoDate(text), null, text);
  }
});

test("parseIsoDateTime() normalizes offsets to UTC", () => {
  assertEquals(parseIsoDateTime("2024-01-31T13:30:00+01:00"), "2024-01-31T12:30:00.000Z");
  assertEquals(parseIsoDateTime("2024-01-31 12:30Z"), "2024-01-31T12:30:00.000Z");
  assertEquals(parseIsoDateTime("2024-01-01T01:00:00+0530"), "2023-12-31T19:30:00.000Z");
  assertEquals(parseIsoDateTime("2024-02-29T23:00:00-02"), "2024-03-01T01:00:00.000Z");
  assertEquals(parseIsoDateTime("2024-01-31T12:00:00.5Z"), "2024-01-31T12:00:00.500Z");
  assertEquals(parseIsoDateTime("2024-01-31T12:00:00.123456Z"), "2024-01-31T12:00:00.123456Z");
  assertEquals(parseIsoDateTime("2024-01-31T12:00:00.120000Z"), "2024-01-31T12:00:00.120Z");
  assertEquals(parseIsoDateTime("0050-01-01T00:00:00Z"), "0050-01-01T00:00:00.000Z");
});

test("parseIsoDateTime() refuses impossible values and missing time zones", () => {
  for (
    const text of [
      "2024-01-31T12:00:00",
      "2023-02-29T00:00Z",
      "2024-01-31T24:00Z",
      "2024-01-31T12:60Z",
      "2024-01-31T12:00:60Z",
      "2024-01-31T12:00+19:00",
      "2024-01-31T12:00:00.1234567Z",
      "0001-01-01T00:00+01:00",
      "2024-01-31",
      "yesterday",
    ]
  ) {
    assertEquals(parseIsoDateTime(text), null, text);
  }
});

test("compareIsoDateTime() orders millisecond and microsecond forms as instants", () => {
  const ms = "2024-01-01T00:00:00.000Z";
  const us = "2024-01-01T00:00:00.000001Z";
  assert(compareIsoDateTime(ms, us) < 0);
  assert(compareIsoDateTime(us, ms) > 0);
  assertEquals(compareIsoDateTime(ms, "2024-01-01T00:00:00.000Z"), 0);
  assert(compareIsoDateTime("2024-01-01T00:00:00.001Z", us) > 0);
});

test("suggestIsoDate() rewrites other date formats as YYYY-MM-DD, both readings when ambiguous", () => {
  const cases: Array<[string, string[] | null]> = [
    ["2025-3-1", ["2025-03-01"]],
    ["2025/03/31", ["2025-03-31"]],
    ["31/03/2025", ["2025-03-31"]],
    ["31.03.2025", ["2025-03-31"]],
    ["03/31/2025", ["2025-03-31"]],
    ["03/04/2025", ["2025-04-03", "2025-03-04"]],
    ["7/7/2025", ["2025-07-07"]],
    ["March 3, 2025", ["2025-03-03"]],
    ["Mar 3 2025", ["2025-03-03"]],
    ["3rd March 2025", ["2025-03-03"]],
    ["3 Sept. 2025", ["2025-09-03"]],
    ["  29  FEB  2024 ", ["2024-02-29"]],
    ["29 Feb 2025", null],
    ["31/31/2025", null],
    ["Smarch 3, 2025", null],
    ["03/04/25", null],
    ["yesterday", null],
  ];
  for (const [text, expected] of cases) assertEquals(suggestIsoDate(text), expected, text);
});

import { assert, assertEquals, assertMatch, assertThrows, test } from "../../tests/assert.ts";
import emissionsConfig from "../../config/upload_types/emissions.ts";
import facilitiesConfig from "../../config/upload_types/facilities.ts";
import { resolveUploadType } from "../config/upload_type_schema.ts";
import { mapHeaders } from "./map_headers/header_match.ts";
import { compileRowValidator, type RowResult, validateBatch } from "./validate.ts";

const facilities = resolveUploadType(facilitiesConfig, "config/upload_types/facilities.ts");
const emissions = resolveUploadType(emissionsConfig, "config/upload_types/emissions.ts");
// A file with every column, in the type's order.
const EMISSIONS_HEADER = emissions.columns.map((c) => c.name);
const validateEmissions = compileRowValidator(emissions, mapHeaders(emissions, EMISSIONS_HEADER));

function failed(result: RowResult) {
  assert(!result.ok, `expected errors, got ${JSON.stringify(result)}`);
  return result;
}

test("a valid row gives typed values", () => {
  const result = validateEmissions([
    " ABC-000123 ",
    "2024",
    "co2",
    "1250.50",
    "T",
    "2025-03-31",
    'Estimated, "stack"',
  ]);
  assertEquals(result, {
    ok: true,
    values: {
      facility_id: "ABC-000123",
      year: 2024,
      pollutant: "CO2",
      amount: "1250.50",
      unit: "t",
      reported_on: "2025-03-31",
      notes: 'Estimated, "stack"',
    },
  });
});

test("empty optional cells are null", () => {
  const result = validateEmissions(["ABC-000123", "2024", "CO2", "0", "kg", "", " "]);
  assert(result.ok);
  assertEquals(result.values.reported_on, null);
  assertEquals(result.values.notes, null);
});

test("every error of a row is reported with column, code, message and value", () => {
  const result = failed(validateEmissions([
    "abc-000123",
    "1989",
    "CO",
    "1,5",
    "",
    "2023-02-30",
    "x".repeat(1001),
  ]));
  assertEquals(result.errors.map((e) => [e.column, e.code, e.value]), [
    ["facility_id", "pattern", "abc-000123"],
    ["year", "min", "1989"],
    ["pollutant", "enum", "CO"],
    ["amount", "type", "1,5"],
    ["unit", "required", ""],
    ["reported_on", "type", "2023-02-30"],
    ["notes", "max_length", "x".repeat(1001)],
  ]);
  assertEquals(result.errors[1].message, "Must be at least 1990");
  assertMatch(result.errors[3].message, /write 1\.5/);
  assertEquals(result.errors[4].message, "A value is required");
  for (const e of result.errors) assertMatch(e.message, /^[A-Z]/);
  assertEquals(result.values, {});
});

test("a row with some errors keeps the values of the cells that passed", () => {
  const result = failed(validateEmissions(["ABC-000123", "2024", "CO2", "-1", "lb", "", "ok"]));
  assertEquals(result.errors, [
    { column: "amount", code: "min", message: "Must be at least 0", value: "-1" },
  ]);
  assertEquals(result.values, {
    facility_id: "ABC-000123",
    year: 2024,
    pollutant: "CO2",
    unit: "lb",
    reported_on: null,
    notes: "ok",
  });
});

test("absent optional columns stay absent from values; unknown columns are ignored", () => {
  const header = ["Comment", "Facility ID", "Name", "Active"];
  const validate = compileRowValidator(facilities, mapHeaders(facilities, header));
  const result = validate(["anything", "ABC-000001", "North Plant", "yes"]);
  assertEquals(result, {
    ok: true,
    values: { facility_id: "ABC-000001", name: "North Plant", active: true },
  });
  assert(!("latitude" in result.values));
});

test("a row with fewer fields is only a ragged_row", () => {
  const result = failed(validateEmissions(["abc", "x", "CO2"]));
  assertEquals(result.errors.length, 1);
  assertEquals(result.errors[0].code, "ragged_row");
  assertEquals(result.errors[0].column, null);
  assertEquals(result.errors[0].value, null);
  assertMatch(
    result.errors[0].message,
    /3 fields but the header has 7: a delimiter may be missing/,
  );
  assertEquals(result.values, {});
});

test("extra non-empty fields are a ragged_row plus the field errors", () => {
  const good = ["ABC-000123", "2024", "CO2", "1", "t", "", ""];
  const clean = failed(validateEmissions([...good, "", "surprise"]));
  assertEquals(clean.errors.map((e) => e.code), ["ragged_row"]);
  assertMatch(clean.errors[0].message, /9 fields but the header has 7: remove the extra values/);
  assertEquals(clean.values.year, 2024);
  const bad = failed(validateEmissions(["ABC-000123", "year", "CO2", "1", "t", "", "", "extra"]));
  assertEquals(bad.errors.map((e) => [e.column, e.code]), [[null, "ragged_row"], ["year", "type"]]);
});

test("extra empty trailing fields are tolerated", () => {
  const result = validateEmissions(["ABC-000123", "2024", "CO2", "1", "t", "", "", "", "  "]);
  assert(result.ok, JSON.stringify(result));
  assertEquals(result.values.amount, "1");
});

test("validateBatch() keeps row and line numbers", () => {
  const results = validateBatch(validateEmissions, [
    { row: 2, line: 2, fields: ["ABC-000123", "2024", "CO2", "1", "t", "", ""] },
    { row: 3, line: 4, fields: ["ABC-000123"] },
  ]);
  assertEquals(results.map((r) => [r.row, r.line, r.ok]), [[2, 2, true], [3, 4, false]]);
});

test("a mapping made for another type is refused", () => {
  const mapping = mapHeaders(facilities, ["facility_id", "name"]);
  const err = assertThrows(() => compileRowValidator(emissions, mapping));
  assert(err instanceof TypeError);
  assertMatch(err.message, /not a column of "emissions"/);
});

test("fields that came typed as numbers are plain numbers whatever the column's separators", () => {
  const type = resolveUploadType({
    name: "amounts",
    label: "Amounts",
    table: "amounts",
    key: ["id"],
    decimalSeparator: ",",
    thousandsSeparator: ".",
    columns: [
      { name: "id", type: "integer", required: true },
      { name: "amount", type: "number", currency: ["€"] },
      { name: "share", type: "number", percent: true, default: "50 %" },
      { name: "note", type: "text" },
    ],
  }, "amounts.ts");
  const validate = compileRowValidator(type, mapHeaders(type, ["id", "amount", "share", "note"]));
  const typed = [true, true, true, true];
  // As text, 1.234 is 1234 under thousands dots; typed, it is 1.234.
  assertEquals(validate(["1.234", "1.234,5", "12,5 %", "1.5"]), {
    ok: true,
    values: { id: 1234, amount: "1234.5", share: "0.125", note: "1.5" },
  });
  assertEquals(validate(["1234", "1.234", "0.125", "1.5"], typed), {
    ok: true,
    values: { id: 1234, amount: "1.234", share: "0.125", note: "1.5" },
  });
  // Only the flagged fields: a text field beside a typed one keeps the locale.
  assertEquals(validate(["7", "1234.5", "", "x"], [true, false, true, false]), {
    ok: false,
    values: { id: 7, share: "0.50", note: "x" },
    errors: [{
      column: "amount",
      code: "type",
      message: "Must be a number written like 1.234,5",
      value: "1234.5",
    }],
  });
  assertEquals(failed(validate(["1.5", "€ 1", "", ""], typed)).errors.map((e) => e.code), [
    "type",
    "type",
  ]);
});

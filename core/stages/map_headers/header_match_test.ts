import { assert, assertEquals, assertMatch, assertThrows, test } from "../../../tests/assert.ts";
import emissionsConfig from "../../../config/upload_types/emissions.ts";
import facilitiesConfig from "../../../config/upload_types/facilities.ts";
import { resolveUploadType } from "../../config/upload_type_schema.ts";
import { isIngestError } from "../../errors.ts";
import { type HeaderMapping, mapHeaders } from "./header_match.ts";

const facilities = resolveUploadType(facilitiesConfig, "config/upload_types/facilities.ts");
const emissions = resolveUploadType(emissionsConfig, "config/upload_types/emissions.ts");

function mapped(mapping: HeaderMapping): Array<[number, string]> {
  return mapping.columns.map((c) => [c.index, c.column.name]);
}

function headerError(type: typeof facilities, header: string[]) {
  const err = assertThrows(() => mapHeaders(type, header));
  assert(isIngestError(err, "header_error"), `expected header_error, got ${err}`);
  assertMatch(err.message, /^The header row is not valid: /);
  return err;
}

test("headers match column names exactly, in file order", () => {
  const header = [
    "facility_id",
    "year",
    "pollutant",
    "amount",
    "unit",
    "reported_on",
    "notes",
  ];
  const mapping = mapHeaders(emissions, header);
  assertEquals(mapped(mapping), header.map((h, i) => [i, h]));
  assertEquals(mapping.ignored, []);
  assertEquals(mapping.headerCount, 7);
  assert(mapping.columns[0].column === emissions.columns[0]);
});

test("headers match by name, label or alias ignoring case, spaces, _ and -", () => {
  const mapping = mapHeaders(emissions, [
    " Pollutant ",
    "FACILITY",
    "Reported On",
    "reported-on-x",
    "YEAR",
    "a_m_o_u_n_t",
    "Unit",
  ]);
  assertEquals(mapped(mapping), [
    [0, "pollutant"],
    [1, "facility_id"],
    [2, "reported_on"],
    [4, "year"],
    [5, "amount"],
    [6, "unit"],
  ]);
  assertEquals(mapping.ignored, [{ index: 3, header: "reported-on-x" }]);
  assertEquals(mapping.headerCount, 7);
  const byLabel = mapHeaders(facilities, ["Facility ID", "NAME", "opened-on", "Facility Id X"]);
  assertEquals(mapped(byLabel), [[0, "facility_id"], [1, "name"], [2, "opened_on"]]);
});

test("unknown columns are ignored and listed; optional columns may be absent", () => {
  const mapping = mapHeaders(facilities, ["Comment", "facility_id", "name", "Region"]);
  assertEquals(mapped(mapping), [[1, "facility_id"], [2, "name"]]);
  assertEquals(mapping.ignored, [{ index: 0, header: "Comment" }, { index: 3, header: "Region" }]);
  assertEquals(mapping.headerCount, 4);
});

test("missing required columns are a header_error naming them", () => {
  const err = headerError(emissions, ["facility_id", "Year", "Notes", "Extra"]);
  assertEquals(err.details.missing, ["pollutant", "amount", "unit"]);
  assertEquals(err.details.found, ["facility_id", "Year", "Notes", "Extra"]);
  assertEquals(err.details.unexpected, ["Extra"]);
  assertEquals(err.details.duplicate, []);
  assertEquals(err.details.blank, []);
  assertEquals(err.details.expected, emissions.columns.map((c) => c.name));
  assertMatch(err.message, /missing the required columns "pollutant", "amount" and "unit"/);
  const one = headerError(facilities, ["facility_id"]);
  assertMatch(one.message, /missing the required column "name"/);
});

test("two headers for one column are a header_error", () => {
  const err = headerError(facilities, ["facility_id", "Name", "Facility ID"]);
  assertEquals(err.details.duplicate, ["facility_id", "Facility ID"]);
  assertEquals(err.details.missing, []);
  assertMatch(
    err.message,
    /columns 1 and 3 \("facility_id" and "Facility ID"\) both mean column "facility_id"/,
  );
  const three = headerError(facilities, ["facility", "name", "FACILITY_ID", "facility-id"]);
  assertEquals(three.details.duplicate, ["facility", "FACILITY_ID", "facility-id"]);
  assertMatch(three.message, /columns 1, 3 and 4 .* all mean column "facility_id"/);
});

test("the same unknown header twice is a header_error too", () => {
  const err = headerError(facilities, ["facility_id", "name", "Note", "note"]);
  assertEquals(err.details.duplicate, ["Note", "note"]);
  assertMatch(err.message, /columns 3 and 4 have the same header "Note"/);
});

test("blank header cells are a header_error with 1-based positions", () => {
  const err = headerError(facilities, ["facility_id", "", "", "name", "  "]);
  assertEquals(err.details.blank, [2, 3]);
  assertEquals(err.details.missing, []);
  assertMatch(err.message, /columns 2 and 3 have no header/);
  const one = headerError(facilities, ["facility_id", "_", "name"]);
  assertEquals(one.details.blank, [2]);
  assertMatch(one.message, /column 2 has no header/);
});

test("blank header cells at the end are padding, not nameless columns", () => {
  const mapping = mapHeaders(facilities, ["facility_id", "name", "", " ", "_"]);
  assertEquals(mapping.headerCount, 2);
  assertEquals(mapping.columns.map((c) => c.column.name), ["facility_id", "name"]);
  assertEquals(mapping.ignored, []);
});

test("a header row matching no column at all is a header_error", () => {
  const err = headerError(emissions, ["Site", "Quantity"]);
  assertEquals(err.details.missing, ["facility_id", "year", "pollutant", "amount", "unit"]);
  assertEquals(err.details.unexpected, ["Site", "Quantity"]);
  assertEquals(err.details.found, ["Site", "Quantity"]);
});

test("an empty header row is a header_error", () => {
  const err = headerError(facilities, []);
  assertMatch(err.message, /the first line of the file is empty/);
  const blanks = headerError(facilities, ["", " "]);
  assertEquals(blanks.details.blank, [1, 2]);
  assertMatch(blanks.message, /the first line of the file is empty/);
});

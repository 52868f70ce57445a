import { assert, assertEquals, assertMatch, assertThrows, test } from "../../tests/assert.ts";
import { headerKey, resolveUploadType, UploadTypeConfigError } from "./upload_type_schema.ts";

const SOURCE = "config/upload_types/sites.ts";

function sites(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "sites",
    label: "Sites",
    table: "sites",
    key: ["site_id"],
    columns: [
      { name: "site_id", type: "text", required: true },
      { name: "staff_count", type: "integer", min: 0 },
    ],
    ...overrides,
  };
}

function withColumns(...columns: Record<string, unknown>[]): Record<string, unknown> {
  return sites({ columns: [{ name: "site_id", type: "text", required: true }, ...columns] });
}

/** Resolves `input`, expects a config error, and returns its message. */
function configError(input: unknown, source = SOURCE): string {
  const err = assertThrows(() => resolveUploadType(input, source));
  assert(err instanceof UploadTypeConfigError, `expected UploadTypeConfigError, got ${err}`);
  assertEquals(err.name, "UploadTypeConfigError");
  assert(err.message.startsWith(`Invalid upload type in ${source}: `), err.message);
  return err.message;
}

/** Expects a config error whose message has `path: ` followed by text matching `pattern`. */
function assertConfigError(input: unknown, path: string, pattern: RegExp): void {
  const message = configError(input);
  assert(message.includes(`${path}: `), `expected the field ${path} in: ${message}`);
  assertMatch(message, pattern);
}

test("resolveUploadType() fills in the defaults", () => {
  const type = resolveUploadType(sites(), SOURCE);
  assertEquals(type.name, "sites");
  assertEquals(type.description, "");
  assertEquals(type.writeMode, "upsert");
  assertEquals(type.onInvalid, "reject");
  assertEquals(type.maxFileBytes, 100 * 1024 * 1024);
  assertEquals(type.maxRows, 5_000_000);
  assertEquals(type.source, SOURCE);
  assertEquals(type.key, ["site_id"]);
  const [id, staff] = type.columns;
  assertEquals(id.label, "Site id");
  assertEquals(staff.label, "Staff count");
  assertEquals(staff.required, false);
  assertEquals(staff.normalize, ["trim"]);
  assertEquals(staff.aliases, []);
  assertEquals(staff.min, 0);
});

test("resolveUploadType() keeps what the config sets", () => {
  const type = resolveUploadType(
    sites({
      description: "All sites",
      writeMode: "replace",
      onInvalid: "skip",
      maxInvalidRows: 10,
      maxFileBytes: 1024,
      maxRows: 50,
      columns: [
        { name: "site_id", label: "Site", type: "text", required: true, normalize: "upper" },
        { name: "kind", type: "enum", values: ["a", "b"], normalize: ["trim", "lower"] },
      ],
    }),
    SOURCE,
  );
  assertEquals(type.writeMode, "replace");
  assertEquals(type.onInvalid, "skip");
  assertEquals(type.maxInvalidRows, 10);
  assertEquals(type.maxFileBytes, 1024);
  assertEquals(type.maxRows, 50);
  assertEquals(type.columns[0].label, "Site");
  assertEquals(type.columns[0].normalize, ["upper"]);
  assertEquals(type.columns[1].normalize, ["trim", "lower"]);
  assertEquals(type.columns[1].values, ["a", "b"]);
});

test("resolveUploadType() returns a frozen type and does not share the input's arrays", () => {
  const input = sites({
    columns: [{ name: "site_id", type: "text", required: true, aliases: ["Site"] }],
  });
  const type = resolveUploadType(input, SOURCE);
  assert(Object.isFrozen(type));
  assert(Object.isFrozen(type.columns));
  assert(Object.isFrozen(type.columns[0]));
  assert(Object.isFrozen(type.columns[0].aliases));
  assert(Object.isFrozen(type.columns[0].normalize));
  assert(Object.isFrozen(type.key));
  assertThrows(() => (type.columns as unknown as unknown[]).push({}));
  (input.key as string[]).push("other");
  assertEquals(type.key, ["site_id"]);
});

test("headerKey() ignores case, spaces, _ and -", () => {
  assertEquals(headerKey(" Facility_ID "), "facilityid");
  assertEquals(headerKey("facility-id"), "facilityid");
  assertEquals(headerKey("FACILITY\tID"), "facilityid");
  assertEquals(headerKey(" _-"), "");
});

test("an enum column without values names columns[i].values", () => {
  assertConfigError(withColumns({ name: "kind", type: "enum" }), "columns[1].values", /enum/);
  assertConfigError(
    withColumns({ name: "kind", type: "enum", values: [] }),
    "columns[1].values",
    /at least one value/,
  );
});

test("enum values listed twice ignoring case are refused", () => {
  assertConfigError(
    withColumns({ name: "kind", type: "enum", values: ["a", "A"] }),
    "columns[1].values[1]",
    /listed twice/,
  );
});

test("values on a non-enum column are refused", () => {
  assertConfigError(
    withColumns({ name: "kind", type: "text", values: ["a"] }),
    "columns[1].values",
    /only enum columns take values/,
  );
});

test("duplicate column names are refused", () => {
  assertConfigError(
    withColumns({ name: "site_id", type: "text" }),
    "columns[1].name",
    /duplicate column name "site_id"/,
  );
});

test("an alias or label that matches another column's name ignoring case, space, _ and - is refused", () => {
  assertConfigError(
    withColumns({ name: "site_name", type: "text", aliases: ["Site-ID"] }),
    "columns[1].aliases[0]",
    /"Site-ID" would also match column "site_id"/,
  );
  assertConfigError(
    withColumns({ name: "site_name", label: "SITE id", type: "text" }),
    "columns[1].label",
    /would also match column "site_id"/,
  );
  // The later column's own name collides with an earlier column's alias.
  assertConfigError(
    sites({
      columns: [
        { name: "site_id", type: "text", required: true, aliases: ["code"] },
        { name: "code", type: "text" },
      ],
    }),
    "columns[1].name",
    /would also match column "site_id"/,
  );
  // A column's own name, label and aliases may normalize to the same text.
  resolveUploadType(
    sites({
      columns: [{
        name: "site_id",
        label: "Site ID",
        type: "text",
        required: true,
        aliases: ["site-id", "Site"],
      }],
    }),
    SOURCE,
  );
});

test("a blank alias is refused", () => {
  assertConfigError(
    withColumns({ name: "notes", type: "text", aliases: [" - "] }),
    "columns[1].aliases[0]",
    /blank/,
  );
});

test("key columns must be required columns, listed once", () => {
  assertConfigError(sites({ key: ["nope"] }), "key[0]", /"nope" is not a column/);
  assertConfigError(
    sites({ key: ["site_id", "staff_count"] }),
    "key[1]",
    /key column "staff_count" must be required/,
  );
  assertConfigError(sites({ key: ["site_id", "site_id"] }), "key[1]", /listed twice/);
  assertConfigError(sites({ key: [] }), "key", /at least one key column/);
});

test("min greater than max is refused, for numbers and dates", () => {
  assertConfigError(
    withColumns({ name: "n", type: "integer", min: 10, max: 1 }),
    "columns[1].min",
    /min \(10\) is greater than max \(1\)/,
  );
  assertConfigError(
    withColumns({ name: "d", type: "date", min: "2024-12-31", max: "2024-01-01" }),
    "columns[1].min",
    /greater than max/,
  );
  assertConfigError(
    withColumns({ name: "d", type: "date", min: 2024 }),
    "columns[1].min",
    /YYYY-MM-DD/,
  );
  assertConfigError(
    withColumns({ name: "t", type: "text", max: 3 }),
    "columns[1].max",
    /only integer, number, date and datetime columns take min and max/,
  );
  resolveUploadType(withColumns({ name: "n", type: "number", min: 1.5, max: 1.5 }), SOURCE);
});

test("a pattern that is not a valid regular expression is refused", () => {
  assertConfigError(
    withColumns({ name: "code", type: "text", pattern: "([A-Z" }),
    "columns[1].pattern",
    /must be a valid regular expression/,
  );
  assertConfigError(
    withColumns({ name: "n", type: "integer", pattern: "^1$" }),
    "columns[1].pattern",
    /only text and email columns take a pattern/,
  );
});

test("bad and reserved table identifiers are refused", () => {
  for (const table of ["Sites", "1sites", "site-list", "", "a".repeat(64)]) {
    assertConfigError(sites({ table }), "table", /must/);
  }
  assertConfigError(sites({ table: "ingest_runs" }), "table", /is reserved/);
  assertConfigError(sites({ table: "pg_class" }), "table", /is reserved/);
  assertConfigError(sites({ name: "Sites" }), "name", /must be a slug/);
  assertConfigError(
    withColumns({ name: "Staff Count", type: "integer" }),
    "columns[1].name",
    /lower-case SQL identifier/,
  );
  assertConfigError(
    withColumns({ name: "__proto__", type: "text" }),
    "columns[1].name",
    /must not be "__proto__"/,
  );
});

test("unknown properties are refused (strict objects)", () => {
  assertConfigError(sites({ tabel: "x" }), "(root)", /unknown field "tabel"/);
  assertConfigError(
    withColumns({ name: "notes", type: "text", requried: true }),
    "columns[1]",
    /unknown field "requried"/,
  );
});

test("wrong types and missing fields name the field", () => {
  assertConfigError(
    withColumns({ name: "notes", type: "string" }),
    "columns[1].type",
    /must be one of "text", "integer"/,
  );
  assertConfigError(sites({ label: undefined }), "label", /is required/);
  assertConfigError(sites({ maxRows: 0 }), "maxRows", /greater than 0/);
  assertConfigError(sites({ writeMode: "merge" }), "writeMode", /must be one of/);
  assertConfigError(sites({ columns: [] }), "columns", /at least one column/);
  assertConfigError(sites({ maxInvalidRows: 5 }), "maxInvalidRows", /onInvalid is "skip"/);
  assertMatch(configError(null), /\(root\): /);
});

test("defaults and examples must be valid values of their column", () => {
  assertConfigError(
    withColumns({ name: "n", type: "integer", min: 0, default: -1 }),
    "columns[1].default",
    /-1 is not valid for this column: must be at least 0/,
  );
  assertConfigError(
    withColumns({ name: "kind", type: "enum", values: ["a"], example: "b" }),
    "columns[1].example",
    /"b" is not valid for this column: must be one of a/,
  );
  assertConfigError(
    withColumns({ name: "notes", type: "text", default: "" }),
    "columns[1].default",
    /must not be empty/,
  );
  resolveUploadType(withColumns({ name: "on", type: "boolean", default: false }), SOURCE);
});

test("every problem of a config is reported, each with its path", () => {
  const message = configError(
    sites({
      key: ["site_id"],
      columns: [
        { name: "site_id", type: "text", required: true },
        { name: "kind", type: "enum" },
        { name: "size", type: "text", values: ["x"] },
      ],
    }),
  );
  assertMatch(message, /columns\[1\]\.values: .*; columns\[2\]\.values: /);
});

test("value options are checked against the column type, each naming its field", () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [
      { name: "a", type: "text", formats: ["dd/MM/yyyy"] },
      /columns\[1\]\.formats: only date and datetime columns take formats/,
    ],
    [
      { name: "a", type: "date", formats: ["dd/MM/yyyy foo"] },
      /columns\[1\]\.formats\[0\]: "dd\/MM\/yyyy foo" is not a date pattern/,
    ],
    [
      { name: "a", type: "date", formats: ["dd/MM/yyyy HH:mm"] },
      /formats\[0\]: "dd\/MM\/yyyy HH:mm" reads a time of day/,
    ],
    [
      { name: "a", type: "datetime", formats: ["dd/MM/yyyy HH:mm"] },
      /formats\[0\]: "dd\/MM\/yyyy HH:mm" has no offset: declare the column's timezone/,
    ],
    [
      { name: "a", type: "datetime", timezone: "Mars/Olympus" },
      /timezone: "Mars\/Olympus" is not a time zone/,
    ],
    [{ name: "a", type: "date", timezone: "UTC" }, /timezone: only datetime columns take timezone/],
    [
      { name: "a", type: "text", decimalSeparator: "," },
      /decimalSeparator: only integer and number columns/,
    ],
    [
      { name: "a", type: "number", decimalSeparator: ";" },
      /decimalSeparator: must be one of "\.", ","/,
    ],
    [
      { name: "a", type: "number", decimalSeparator: ",", thousandsSeparator: "," },
      /thousandsSeparator: the thousands separator "," is also the decimal separator/,
    ],
    [{ name: "a", type: "integer", percent: true }, /percent: only number columns take percent/],
    [{ name: "a", type: "number", currency: ["$1"] }, /currency\[0\]: "\$1" must not hold digits/],
    [{ name: "a", type: "text", trueValues: ["x"] }, /trueValues: only boolean columns/],
    [{ name: "a", type: "boolean", trueValues: ["no"] }, /"no" is also a true value/],
    [{ name: "a", type: "boolean", trueValues: [] }, /trueValues: must list at least one value/],
    [{ name: "a", type: "integer", valueMap: { x: "1" } }, /valueMap: only text and enum columns/],
    [
      { name: "a", type: "enum", values: ["CO2"], valueMap: { "Carbon": "C" } },
      /valueMap\.Carbon: maps "Carbon" to "C", which is not one of the values/,
    ],
    [
      { name: "a", type: "text", normalize: "trim", case: "upper" },
      /case: use either normalize or case, not both/,
    ],
    [{ name: "a", type: "text", case: "title" }, /case: must be one of "upper", "lower"/],
    [
      { name: "a", type: "date", formats: ["dd/MM/yyyy"], example: "2024-13-01" },
      /example: "2024-13-01" is not valid/,
    ],
  ];
  for (const [column, message] of cases) assertMatch(configError(withColumns(column)), message);
  assertMatch(
    configError(sites({ decimalSeparator: ",", thousandsSeparator: "," })),
    /columns\[1\]\.decimalSeparator: the thousands separator "," is also the decimal separator/,
  );
});

test("type-wide nullValues and separators reach the columns that declare none", () => {
  const type = resolveUploadType(
    sites({
      nullValues: ["", "NA"],
      decimalSeparator: ",",
      thousandsSeparator: ".",
      columns: [
        { name: "site_id", type: "text", required: true, nullValues: [] },
        { name: "staff_count", type: "integer" },
        { name: "share", type: "number", thousandsSeparator: " " },
      ],
    }),
    SOURCE,
  );
  assertEquals(type.nullValues, ["", "NA"]);
  assertEquals(type.columns[0].nullValues, []);
  assertEquals(type.columns[0].decimalSeparator, undefined);
  assertEquals(type.columns[1].nullValues, ["", "NA"]);
  assertEquals([type.columns[1].decimalSeparator, type.columns[1].thousandsSeparator], [",", "."]);
  assertEquals([type.columns[2].decimalSeparator, type.columns[2].thousandsSeparator], [",", " "]);
  assertEquals(resolveUploadType(sites(), SOURCE).columns[1].nullValues, [""]);
  assert(Object.isFrozen(type.columns[1].nullValues));
});

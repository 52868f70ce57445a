import { assert, assertEquals, assertMatch, assertThrows, test } from "../../tests/assert.ts";
import { linkReferences } from "./references.ts";
import { UploadTypeRegistry } from "./registry.ts";
import {
  type ResolvedUploadType,
  resolveUploadType,
  UploadTypeConfigError,
} from "./upload_type_schema.ts";

function facilities(key = ["facility_id"]): ResolvedUploadType {
  return resolveUploadType({
    name: "facilities",
    label: "Facilities",
    table: "facility_register",
    key,
    columns: [
      { name: "facility_id", type: "text", required: true },
      { name: "number", type: "integer", required: true },
    ],
  }, "config/upload_types/facilities.ts");
}

function emissions(column: Record<string, unknown> = {}): ResolvedUploadType {
  return resolveUploadType({
    name: "emissions",
    label: "Emissions",
    table: "emissions",
    key: ["facility_id", "year"],
    columns: [
      { name: "facility_id", type: "text", required: true, references: "facilities", ...column },
      { name: "year", type: "integer", required: true },
    ],
  }, "config/upload_types/emissions.ts");
}

/** Expects linking to fail and returns the message. */
function linkError(types: ResolvedUploadType[]): string {
  const err = assertThrows(() => linkReferences(types));
  assert(err instanceof UploadTypeConfigError, `got ${err}`);
  return err.message;
}

test("linkReferences() resolves a reference to the other type's table and key", () => {
  const plain = facilities();
  const [same, linked] = linkReferences([plain, emissions()]);
  assert(same === plain, "a type without references comes back as it was");
  assertEquals(linked.references, [{
    column: "facility_id",
    type: "facilities",
    label: "Facilities",
    table: "facility_register",
    key: "facility_id",
  }]);
  assert(Object.isFrozen(linked) && Object.isFrozen(linked.references));
  assertEquals(linked.columns[0].references, "facilities");
});

test("linkReferences() refuses an unknown type, naming the file, column and the others", () => {
  const message = linkError([facilities(), emissions({ references: "sites" })]);
  assertMatch(
    message,
    /^Invalid upload type in config\/upload_types\/emissions\.ts: columns\[0\]\.references: "sites" is not an upload type \(the others are "facilities"\)$/,
  );
});

test("linkReferences() refuses a reference to the type itself", () => {
  assertMatch(
    linkError([facilities(), emissions({ references: "emissions" })]),
    /cannot reference its own upload type/,
  );
});

test("linkReferences() refuses a type whose key has more than one column", () => {
  assertMatch(
    linkError([facilities(["facility_id", "number"]), emissions()]),
    /"facilities" has a key of 2 columns \(facility_id, number\); only a single-column key/,
  );
});

test("linkReferences() refuses a column whose SQL type differs from the key's", () => {
  assertMatch(
    linkError([facilities(), emissions({ type: "integer" })]),
    /"facility_id" is integer \(bigint\) but the key "facilities\.facility_id" is text \(text\)/,
  );
  // enum and email columns are text in SQL: compatible with a text key.
  const [, linked] = linkReferences([facilities(), emissions({ type: "email" })]);
  assertEquals(linked.references?.length, 1);
});

test("resolveUploadType() wants references to be a type name", () => {
  const err = assertThrows(() => emissions({ references: "Not A Slug" }));
  assert(err instanceof UploadTypeConfigError);
  assertMatch(err.message, /columns\[0\]\.references: must be the name of an upload type/);
});

test("UploadTypeRegistry links references when the types load", () => {
  const registry = new UploadTypeRegistry([emissions(), facilities()]);
  assertEquals(registry.get("emissions").references?.[0].table, "facility_register");
  const err = assertThrows(() => new UploadTypeRegistry([emissions()]));
  assert(err instanceof UploadTypeConfigError, `got ${err}`);
});

import { assert, assertEquals, assertMatch, assertThrows, test } from "../../tests/assert.ts";
import { isIngestError } from "../errors.ts";
import { UploadTypeRegistry } from "./registry.ts";
import { resolveUploadType, UploadTypeConfigError } from "./upload_type_schema.ts";

function typeNamed(name: string, source = `config/upload_types/${name}.ts`) {
  return resolveUploadType({
    name,
    label: name,
    table: name,
    key: ["id"],
    columns: [{ name: "id", type: "text", required: true }],
  }, source);
}

test("list() returns every type in name order", () => {
  const registry = new UploadTypeRegistry([typeNamed("zeta"), typeNamed("alpha"), typeNamed("mu")]);
  assertEquals(registry.list().map((t) => t.name), ["alpha", "mu", "zeta"]);
});

test("get() and has() find a configured type", () => {
  const alpha = typeNamed("alpha");
  const registry = new UploadTypeRegistry([alpha, typeNamed("beta")]);
  assert(registry.get("alpha") === alpha);
  assert(registry.has("beta"));
  assert(!registry.has("gamma"));
});

test("get() of an unknown name throws unknown_upload_type listing the known types", () => {
  const registry = new UploadTypeRegistry([typeNamed("beta"), typeNamed("alpha")]);
  const err = assertThrows(() => registry.get("gamma"));
  assert(isIngestError(err, "unknown_upload_type"), `got ${err}`);
  assertEquals(err.details, { uploadType: "gamma", known: ["alpha", "beta"] });
  assertMatch(err.message, /Unknown upload type "gamma": the known types are "alpha", "beta"/);
});

test("get() on an empty registry says no types are configured", () => {
  const err = assertThrows(() => new UploadTypeRegistry([]).get("x"));
  assert(isIngestError(err, "unknown_upload_type"));
  assertEquals(err.details.known, []);
  assertMatch(err.message, /no upload types are configured/);
});

test("two types with one name are refused, naming both sources", () => {
  const err = assertThrows(() =>
    new UploadTypeRegistry([typeNamed("sites", "a/one.ts"), typeNamed("sites", "b/two.ts")])
  );
  assert(err instanceof UploadTypeConfigError, `got ${err}`);
  assertMatch(err.message, /b\/two\.ts/);
  assertMatch(err.message, /a\/one\.ts/);
  assertMatch(err.message, /"sites" is already defined/);
});

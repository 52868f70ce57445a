import { sql } from "kysely";
import { sqlType } from "../core/config/sql_types.ts";
import { UploadTypeConfigError } from "../core/config/upload_type_schema.ts";
import { loadUploadTypes } from "../host/deno/load_upload_types.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "./assert.ts";
import { migratedDatabase } from "./db_harness.ts";

const GOOD = new URL("./fixtures/upload_types_good/", import.meta.url);
const BAD = "tests/fixtures/upload_types_bad";

async function loadError(dir: string): Promise<string> {
  const err = await assertRejects(() =>
    loadUploadTypes(new URL(`./fixtures/upload_types_bad/${dir}/`, import.meta.url))
  );
  assert(err instanceof UploadTypeConfigError, String(err));
  return err.message;
}

Deno.test("loadUploadTypes() loads every config file and skips tests, mod.ts and _ files", async () => {
  const registry = await loadUploadTypes(GOOD);
  assertEquals(registry.list().map((t) => t.name), ["inspections", "sites"]);
  const inspections = registry.get("inspections");
  assertEquals(inspections.source, "tests/fixtures/upload_types_good/inspections.ts");
  assertEquals(inspections.writeMode, "insert");
  assertEquals(inspections.columns.map((c) => c.name), [
    "site_id",
    "inspected_at",
    "passed",
    "inspector",
  ]);
  assert(Object.isFrozen(inspections));
});

Deno.test("loadUploadTypes() takes a directory URL without a trailing slash", async () => {
  const dir = new URL(GOOD.href.slice(0, -1));
  assertEquals((await loadUploadTypes(dir)).list().length, 2);
});

Deno.test("loadUploadTypes() names the file and the field of an invalid config", async () => {
  assertEquals(
    await loadError("invalid_field"),
    `Invalid upload type in ${BAD}/invalid_field/widgets.ts: ` +
      "columns[1].values: enum columns need at least one value",
  );
  assertEquals(
    await loadError("wrong_types"),
    `Invalid upload type in ${BAD}/wrong_types/widgets.ts: ` +
      'writeMode: must be one of "insert", "upsert", "replace"; maxRows: must be a number',
  );
});

Deno.test("loadUploadTypes() names a file without a default export", async () => {
  assertEquals(
    await loadError("no_default"),
    `Invalid upload type in ${BAD}/no_default/widgets.ts: ` +
      "the file must `export default defineUploadType({...})`",
  );
});

Deno.test("loadUploadTypes() names a file that fails to load", async () => {
  assertMatch(
    await loadError("throws"),
    new RegExp(`^Cannot load upload type from ${BAD}/throws/widgets\\.ts: .*JSON`),
  );
});

Deno.test("loadUploadTypes() refuses two files with one type name", async () => {
  assertEquals(
    await loadError("duplicate_name"),
    `Invalid upload type in ${BAD}/duplicate_name/b.ts: name: "widgets" is already defined in ` +
      `${BAD}/duplicate_name/a.ts`,
  );
});

Deno.test("loadUploadTypes() refuses a directory without upload types", async () => {
  assertMatch(
    await loadError("empty"),
    new RegExp(`^No upload types in ${BAD}/empty/: add a file`),
  );
  assertMatch(
    await loadError("missing"),
    new RegExp(`^Cannot read the upload types in ${BAD}/missing/`),
  );
});

Deno.test("the demo upload types load and match their migrated tables", async () => {
  const registry = await loadUploadTypes(new URL("../config/upload_types/", import.meta.url));
  assertEquals(registry.list().map((t) => t.name), ["emissions", "facilities"]);
  await using db = await migratedDatabase();
  for (const type of registry.list()) {
    const { rows } = await sql<{ column_name: string; type: string; is_nullable: string }>`
      select column_name, format_type(atttypid, atttypmod) as type, is_nullable
      from information_schema.columns c
      join pg_attribute a on a.attrelid = ${type.table}::regclass and a.attname = c.column_name
      where c.table_schema = current_schema() and c.table_name = ${type.table}
      order by c.ordinal_position
    `.execute(db.kysely);
    const expected = type.columns.map((c) => ({
      column_name: c.name,
      type: sqlType(c) === "timestamptz" ? "timestamp with time zone" : sqlType(c),
      is_nullable: c.required ? "NO" : "YES",
    }));
    assertEquals(rows, expected, type.name);
  }
});

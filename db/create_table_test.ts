import { sql } from "kysely";
import { assertEquals, assertMatch, test } from "../tests/assert.ts";
import { openPostgresTestDatabase } from "../tests/db_harness.ts";
import { openDatabase } from "./open_database.ts";
import { runMigrateCli } from "./migrate_cli.ts";

const SITES = `export default {
  name: "sites", label: "Sites", table: "sites", key: ["site_id", "region"],
  columns: [
    { name: "site_id", type: "text", required: true },
    { name: "region", type: "text", required: true },
    { name: "staff", type: "integer", min: 0 },
    { name: "opened", type: "date" },
    { name: "note", type: "text" },
  ],
};
`;

/** A temp dir with one config file and an empty migrations dir; runs `migrate …` against it. */
async function workspace(config = SITES) {
  const dir = await Deno.makeTempDir({ prefix: "intake-create-table-" });
  await Deno.mkdir(`${dir}/types`);
  await Deno.mkdir(`${dir}/migrations`);
  await Deno.writeTextFile(`${dir}/types/sites.ts`, config);
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const code = await runMigrateCli(args, {
      env: (name) => ({ INTAKE_DATA_DIR: `${dir}/data`, ...env })[name],
      out: (line) => out.push(line),
      err: (line) => out.push(line),
      uploadTypesDir: new URL(`file://${dir}/types/`),
      migrationsDir: new URL(`file://${dir}/migrations/`),
    });
    return { code, text: out.join("\n") };
  };
  const files = async () => {
    const names: string[] = [];
    for await (const e of Deno.readDir(`${dir}/migrations`)) names.push(e.name);
    return names.sort();
  };
  return { dir, run, files, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

test("create-table refuses a bad name (2), an unknown type (2) and a broken config (3)", async () => {
  await using ws = await workspace();
  const bad = await ws.run(["create-table", "Sites!"]);
  assertEquals(bad.code, 2, bad.text);
  assertMatch(bad.text, /Invalid upload type name "Sites!"/);
  const unknown = await ws.run(["create-table", "plants"]);
  assertEquals(unknown.code, 2, unknown.text);
  assertMatch(unknown.text, /Unknown upload type "plants".*"sites"/);
  const missing = await ws.run(["create-table"]);
  assertEquals(missing.code, 2, missing.text);
  assertMatch(missing.text, /create-table needs the upload type's name/);
  assertEquals(await ws.files(), []);
  // A new directory: a module, once imported, stays what it was.
  await using brokenWs = await workspace(SITES.replace('"integer"', '"int"'));
  const broken = await brokenWs.run(["create-table", "sites"]);
  assertEquals(broken.code, 3, broken.text);
  assertMatch(broken.text, /types\/sites\.ts.*columns\[2\]\.type/);
  assertEquals(await brokenWs.files(), []);
});

test("create-table writes a composite primary key, then finds its own migration", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(`${ws.dir}/migrations/0007_other.ts`, "export async function up() {}\n");
  const first = await ws.run(["create-table", "sites"]);
  assertEquals(first.code, 0, first.text);
  assertEquals(await ws.files(), ["0007_other.ts", "0008_sites.ts"]);
  const source = await Deno.readTextFile(`${ws.dir}/migrations/0008_sites.ts`);
  assertMatch(source, /addPrimaryKeyConstraint\("sites_pkey", \["site_id", "region"\]\)/);
  assertMatch(source, /addColumn\("staff", "bigint", \(c\) => c\.check\(sql`"staff" >= 0`\)\)/);
  const second = await ws.run(["create-table", "sites"]);
  assertEquals(second.code, 0, second.text);
  assertMatch(second.text, /created by migrations\/0008_sites\.ts, not yet applied[^]*fits/);
  assertEquals(await ws.files(), ["0007_other.ts", "0008_sites.ts"]);
});

const DRIFTED = sql`create table sites (
  site_id text, region text not null, staff text, opened date not null, extra int not null)`;
const DIFFERENCES = [
  'upload type "sites": table "sites" has no column "note"',
  'column "site_id" is required in the config but nullable in the table',
  'column "staff" is text in the table, bigint for a integer column in the config',
  'column "opened" is NOT NULL in the table but optional in the config',
  'column "extra" is NOT NULL without a default in the table but not in the config',
  "the key (site_id, region) is not the table's primary key or a unique index (it has none)",
];

function assertDifferences(text: string) {
  for (const difference of DIFFERENCES) {
    assertMatch(text, new RegExp(difference.replace(/[()]/g, "\\$&")));
  }
}

test("[pglite] create-table says how a table already in the database differs (exit 1)", async () => {
  await using ws = await workspace();
  const db = await openDatabase({ dataDir: `${ws.dir}/data` });
  await DRIFTED.execute(db.kysely);
  await db.close();
  const result = await ws.run(["create-table", "sites"]);
  assertEquals(result.code, 1, result.text);
  assertMatch(result.text, /in the database, created by no migration[^]*No migration written/);
  assertDifferences(result.text);
  assertEquals(await ws.files(), []);
});

const adminUrl = Deno.env.get("TEST_DATABASE_URL");
test({
  name: `[postgres] create-table says how a table already in the database differs (exit 1)${
    adminUrl ? "" : " (TEST_DATABASE_URL unset)"
  }`,
  ignore: !adminUrl,
  async fn() {
    await using ws = await workspace();
    await using db = await openPostgresTestDatabase(adminUrl!);
    await DRIFTED.execute(db.kysely);
    const result = await ws.run(["create-table", "sites"], { DATABASE_URL: db.url! });
    assertEquals(result.code, 1, result.text);
    assertDifferences(result.text);
    assertEquals(await ws.files(), []);
  },
});

test("create-table exits 3 when the migrations cannot run, and writes nothing", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(
    `${ws.dir}/migrations/0001_broken.ts`,
    'export async function up() {\n  throw new Error("boom");\n}\n',
  );
  const result = await ws.run(["create-table", "sites"]);
  assertEquals(result.code, 3, result.text);
  assertMatch(result.text, /on a scratch database, Migration "0001_broken" failed \(up\): boom/);
  assertEquals(await ws.files(), ["0001_broken.ts"]);
});

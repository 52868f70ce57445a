import { sql } from "kysely";
import { resolveUploadType } from "../core/config/upload_type_schema.ts";
import { assert, assertEquals, assertRejects } from "../tests/assert.ts";
import { describeDatabases } from "../tests/db_harness.ts";
import { tableMigrationSource } from "./table_migration.ts";

const ODD = "it's `odd` ${x} \\n";
const TYPE = resolveUploadType({
  name: "sites",
  label: "Sites",
  table: "sites",
  key: ["site_id"],
  columns: [
    { name: "site_id", type: "text", required: true },
    { name: "kind", type: "enum", values: ["office", ODD] },
    { name: "order", type: "integer", required: true, min: -5, max: 5 },
    { name: "share", type: "number", max: 0.5 },
    { name: "opened", type: "date", min: "1950-01-01" },
    { name: "seen_at", type: "datetime", max: "2030-01-01T00:00:00Z" },
  ],
}, "config/upload_types/sites.ts");

describeDatabases(
  "a generated migration creates the table with its key, NOT NULLs and CHECKs",
  async (db) => {
    const dir = await Deno.makeTempDir({ prefix: "intake-table-migration-" });
    try {
      // Written and imported as the migrator would: the text itself must be valid TypeScript.
      await Deno.writeTextFile(`${dir}/0001_sites.ts`, tableMigrationSource(TYPE));
      const migration = await import(`file://${dir}/0001_sites.ts`);
      await migration.up(db.kysely);
      const insert = (values: string) =>
        sql`insert into sites (site_id, kind, "order", share, opened, seen_at) values ${
          sql.raw(values)
        }`.execute(db.kysely);
      const odd = `'${ODD.replaceAll("'", "''")}'`;
      await insert(`('a', ${odd}, 5, 0.5, '1950-01-01', '2029-12-31T00:00:00Z')`);
      await insert(`('b', 'office', -5, null, null, null)`);
      for (
        const bad of [
          `('a', null, 0, null, null, null)`, // duplicate key
          `(null, null, 0, null, null, null)`, // key not null
          `('c', 'Office', 0, null, null, null)`, // stored as configured
          `('c', null, null, null, null, null)`, // required
          `('c', null, 6, null, null, null)`,
          `('c', null, 0, 0.51, null, null)`,
          `('c', null, 0, null, '1949-12-31', null)`,
          `('c', null, 0, null, null, '2030-01-01T00:00:01Z')`,
        ]
      ) {
        await assertRejects(() => insert(bad), bad);
      }
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from sites`.execute(
        db.kysely,
      );
      assertEquals(rows[0].n, 2);
      await migration.down(db.kysely);
      const gone = await sql<{ t: string | null }>`select to_regclass('sites')::text as t`.execute(
        db.kysely,
      );
      assert(gone.rows[0].t === null, "down drops the table");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/**
 * Target tables of the demo upload types `facilities` and `emissions`
 * (`config/upload_types/`). Column types follow `core/config/sql_types.ts`.
 *
 * @module
 */
import { type Kysely, sql } from "kysely";

/** Creates `facilities` and `emissions`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("facilities")
    .addColumn("facility_id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("county", "text")
    .addColumn("latitude", "numeric", (c) => c.check(sql`latitude between -90 and 90`))
    .addColumn("longitude", "numeric", (c) => c.check(sql`longitude between -180 and 180`))
    .addColumn("opened_on", "date")
    .addColumn("active", "boolean")
    .execute();

  await db.schema
    .createTable("emissions")
    .addColumn("facility_id", "text", (c) => c.notNull())
    .addColumn("year", "bigint", (c) => c.notNull().check(sql`year between 1990 and 2100`))
    .addColumn("pollutant", "text", (c) => c.notNull())
    .addColumn("amount", "numeric", (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn("unit", "text", (c) => c.notNull())
    .addColumn("reported_on", "date")
    .addColumn("notes", "text")
    .addPrimaryKeyConstraint("emissions_pkey", ["facility_id", "year", "pollutant"])
    .execute();
}

/** Drops both tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("emissions").execute();
  await db.schema.dropTable("facilities").execute();
}

/**
 * The upload types of real-looking files with value options (`tests/fixtures/upload_types_values/`:
 * stocks, airports, a German register, meter readings) and their tables, for the API tests of
 * those options.
 *
 * @module
 */
import { sql } from "kysely";
import type { TestDatabase } from "./db_harness.ts";

/** The directory of the value-option types, for `appTest`'s `uploadTypesDir`. */
export const VALUE_TYPES = new URL("./fixtures/upload_types_values/", import.meta.url);

/** Creates the tables of the types in {@linkcode VALUE_TYPES}. */
export async function createValueTables(db: TestDatabase): Promise<void> {
  const k = db.kysely;
  await sql`create table test_stocks (symbol text, date date, price numeric,
    primary key (symbol, date))`.execute(k);
  await sql`create table test_airports (iata text primary key, name text, city text, state text,
    country text, country_code text, latitude numeric, longitude numeric)`.execute(k);
  await sql`create table test_register (nummer bigint primary key, betrag numeric, anteil numeric,
    aktiv boolean, datum date, stoff text, gemeldet timestamptz)`.execute(k);
  await sql`create table test_readings (meter text, read_on date, kwh bigint,
    note text, primary key (meter, read_on))`.execute(k);
}

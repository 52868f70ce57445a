/**
 * Emissions reference facilities: tests that import generated emissions files put the
 * facilities those files name into the register first.
 *
 * @module
 */
import { generateFacilitiesCsv } from "../bench/gen_emissions.ts";
import type { Database } from "../db/database.ts";

/** Writes the facilities that the first `rows` generated emissions rows for `seed` reference. */
export async function seedFacilities(
  db: Pick<Database, "copyCsv">,
  rows: number,
  seed = 1,
): Promise<void> {
  const [, ...lines] = generateFacilitiesCsv(rows, seed).split("\n");
  await db.copyCsv("facilities", ["facility_id", "name"], lines.join("\n"));
}

import { assert, assertEquals, assertNotEquals, test } from "../tests/assert.ts";
import { parseCsv } from "../core/stages/parse/csv.ts";
import { decode } from "../core/stages/decode.ts";
import {
  EMISSIONS_HEADER,
  emissionsRow,
  generateEmissionsCsv,
  INVALID_KINDS,
  type InvalidKind,
} from "./gen_emissions.ts";

/** The emissions type's rules, written out independently of the generator. */
function violations(fields: string[]): string[] {
  const [facility, year, pollutant, amount, unit, reportedOn, notes] = fields;
  const out: string[] = [];
  if (!/^[A-Z]{3}-[0-9]{6}$/.test(facility)) out.push("facility_id");
  if (!/^\d+$/.test(year) || +year < 1990 || +year > 2100) out.push("year");
  if (!["CO2", "CH4", "N2O", "NOX", "SO2", "PM25"].includes(pollutant)) out.push("pollutant");
  if (!/^\d+(\.\d+)?$/.test(amount)) out.push("amount");
  if (!["t", "kg", "lb"].includes(unit)) out.push("unit");
  const date = new Date(`${reportedOn}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(reportedOn) || date.toISOString().slice(0, 10) !== reportedOn) {
    out.push("reported_on");
  }
  if (notes.length > 1000) out.push("notes");
  return out;
}

async function parsed(stream: ReadableStream<Uint8Array>): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const batch of parseCsv(decode(stream))) rows.push(...batch.map((r) => r.fields));
  return rows;
}

test("generateEmissionsCsv() writes valid rows with unique keys in exactly 7 columns", async () => {
  const rows = await parsed(generateEmissionsCsv(3000, 7));
  assertEquals(rows[0], [...EMISSIONS_HEADER]);
  assertEquals(rows.length, 3001);
  const keys = new Set<string>();
  for (const row of rows.slice(1)) {
    assertEquals(row.length, 7);
    assertEquals(violations(row), [], row.join(","));
    keys.add(`${row[0]}|${row[1]}|${row[2]}`);
  }
  assertEquals(keys.size, 3000);
  assert(rows.some((r) => r[6].includes(",")), "some notes need quoting");
  assert(rows.some((r) => r[6].includes('"')), "some notes have quotes");
});

test("generateEmissionsCsv() is deterministic per seed", async () => {
  const text = (seed: number) => new Response(generateEmissionsCsv(200, seed)).text();
  assertEquals(await text(3), await text(3));
  assertNotEquals(await text(3), await text(4));
});

test("generateEmissionsCsv() corrupts about the given fraction, one rule each", async () => {
  const rows = (await parsed(generateEmissionsCsv(4000, 5, { invalidFraction: 0.1 }))).slice(1);
  const kinds = new Set<InvalidKind>();
  let invalid = 0;
  for (let i = 0; i < rows.length; i++) {
    const expected = emissionsRow(i, 5, { invalidFraction: 0.1 });
    assertEquals(rows[i], expected.fields);
    if (expected.invalid === null) {
      assertEquals(violations(rows[i]), []);
      // Rows left valid are the same as in the clean file.
      assertEquals(rows[i], emissionsRow(i, 5).fields);
    } else {
      invalid++;
      kinds.add(expected.invalid);
      assertEquals(violations(rows[i]).length, 1, `${expected.invalid}: ${rows[i].join(",")}`);
    }
  }
  assert(invalid > 300 && invalid < 500, `${invalid} invalid rows`);
  assertEquals(kinds.size, INVALID_KINDS.length);
});

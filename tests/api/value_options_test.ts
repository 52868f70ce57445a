/**
 * Values in the shapes real files write them, read as the upload type's config declares
 * (`nullValues`, `formats`, `timezone`, `decimalSeparator`, `thousandsSeparator`, `percent`,
 * `currency`, `trueValues`/`falseValues`, `valueMap`, `case`): through the API on both databases,
 * with what is stored checked in `export.csv` and what was written in `errors.csv`.
 */
import { assertEquals } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { createValueTables, VALUE_TYPES } from "../value_types.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

function valuesTest(name: string, fn: (app: TestApp) => Promise<void>): void {
  appTest(name, fn, {}, VALUE_TYPES, createValueTables);
}

async function committed(app: TestApp, type: string, csv: string): Promise<Json> {
  const res = await app.upload(type, csv);
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  assertEquals(run.status, "committed");
  return run;
}

async function staged(app: TestApp, type: string, csv: string): Promise<Json> {
  const res = await app.upload(type, csv, { mode: "staged" });
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  return run;
}

async function invalidRows(app: TestApp, run: Json): Promise<Array<[number, Json[]]>> {
  const { rows } = await app.json<Json>(
    await app.fetch(`/api/v1/runs/${run.id}/rows?action=invalid`),
  );
  return rows.map((r: Json) => [r.rowNumber, r.errors]);
}

async function text(app: TestApp, path: string): Promise<string> {
  const res = await app.fetch(path);
  assertEquals(res.status, 200, path);
  return await res.text();
}

function lines(...rows: string[]): string {
  return rows.map((r) => r + "\r\n").join("");
}

valuesTest("a stock-price file with `Jan 1 2000` dates imports whole", async (app) => {
  await committed(
    app,
    "stocks",
    "symbol,date,price\nMSFT,Jan 1 2000,39.81\nmsft,Feb 1 2000,$36.35\nAAPL,Dec 1 2009,196.48\n",
  );
  assertEquals(
    await text(app, "/api/v1/upload-types/stocks/export.csv"),
    lines(
      "symbol,date,price",
      "AAPL,2009-12-01,196.48",
      "MSFT,2000-01-01,39.81",
      "MSFT,2000-02-01,36.35",
    ),
  );
});

valuesTest("a date no pattern reads is refused, naming the patterns", async (app) => {
  const run = await staged(app, "stocks", "symbol,date,price\nMSFT,2000/01/01,39.81\n");
  assertEquals(await invalidRows(app, run), [[2, [{
    column: "date",
    code: "type",
    message: "Must be a real date written YYYY-MM-DD or MMM d yyyy",
    value: "2000/01/01",
    // The run suggests the pattern that reads it (tests/api/suggestions_test.ts).
    suggestion: {
      id: 1,
      kind: "formats",
      column: "date",
      formats: ["MMM d yyyy", "yyyy/MM/dd"],
      label: "Read dates as yyyy/MM/dd",
      config: 'formats: ["MMM d yyyy", "yyyy/MM/dd"]',
      applied: false,
    },
  }]]]);
});

valuesTest("ambiguous dates are refused, saying both readings", async (app) => {
  const run = await staged(
    app,
    "readings",
    'meter,read_on,kwh,note\nM1,31/01/2024,"1,200", as read \nM1,01/02/2024,1300,\nM2,02/13/2024,7,x\n',
  );
  assertEquals(run.counts.invalid, 1);
  assertEquals(await invalidRows(app, run), [[3, [{
    column: "read_on",
    code: "type",
    message: 'Ambiguous date "01/02/2024": it reads as 2024-02-01 (dd/MM/yyyy) and as ' +
      "2024-01-02 (MM/dd/yyyy); write it YYYY-MM-DD",
    value: "01/02/2024",
  }]]]);
  assertEquals(
    await text(app, `/api/v1/runs/${run.id}/errors.csv`),
    lines(
      "row,errors,meter,read_on,kwh,note",
      '3,"read_on: Ambiguous date ""01/02/2024"": it reads as 2024-02-01 (dd/MM/yyyy) and as ' +
        '2024-01-02 (MM/dd/yyyy); write it YYYY-MM-DD",M1,01/02/2024,1300,',
    ),
  );
  const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
  assertEquals(commit.status, 200, await commit.clone().text());
  await commit.body?.cancel();
  assertEquals(
    await text(app, "/api/v1/upload-types/readings/export.csv"),
    lines("meter,read_on,kwh,note", "M1,2024-01-31,1200, as read ", "M2,2024-02-13,7,x"),
  );
});

valuesTest("NA is empty: null in optional columns, `required` in required ones", async (app) => {
  const csv = [
    "iata,name,city,state,country,country_code,latitude,longitude",
    "00M,Thigpen,Bay Springs,MS,USA,US,31.95376472,-89.23450472",
    "WDH,Hosea Kutako,Windhoek,NA,Namibia,NA,-22.4799,17.4709",
    "01G,Perry-Warsaw,Perry,N/A,USA,-,NA,NA",
    "NA,Nowhere,NA,NA,USA,US,0,0",
    "02A,NA,Clanton,AL,USA,US,32.85,-86.61",
  ].join("\n") + "\n";
  const run = await staged(app, "airports", csv);
  assertEquals(run.counts.invalid, 2);
  assertEquals(await invalidRows(app, run), [
    [5, [{ column: "iata", code: "required", message: "A value is required", value: "NA" }]],
    [6, [{ column: "name", code: "required", message: "A value is required", value: "NA" }]],
  ]);
  // errors.csv keeps the cells as written.
  assertEquals(
    await text(app, `/api/v1/runs/${run.id}/errors.csv`),
    lines(
      "row,errors,iata,name,city,state,country,country_code,latitude,longitude",
      "5,iata: A value is required,NA,Nowhere,NA,NA,USA,US,0,0",
      "6,name: A value is required,02A,NA,Clanton,AL,USA,US,32.85,-86.61",
    ),
  );
  // A staged commit writes the valid rows: NA stored as null, Namibia's "NA" kept as a value.
  const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
  assertEquals(commit.status, 200, await commit.clone().text());
  await commit.body?.cancel();
  assertEquals(
    await text(app, "/api/v1/upload-types/airports/export.csv"),
    lines(
      "iata,name,city,state,country,country_code,latitude,longitude",
      "00M,Thigpen,Bay Springs,MS,USA,US,31.95376472,-89.23450472",
      "01G,Perry-Warsaw,Perry,,USA,,,",
      "WDH,Hosea Kutako,Windhoek,,Namibia,NA,-22.4799,17.4709",
    ),
  );
});

valuesTest(
  "a German register: decimal comma with thousands dots, percent, currency, Ja/Nein, " +
    "day-first dates, local times and valueMap into an enum",
  async (app) => {
    const csv = [
      "Nummer;Betrag;Anteil;Aktiv;Datum;Stoff;Gemeldet",
      "1;1.234,5;12,5%;Ja;31.1.2024;Kohlendioxid;1.7.2024 14:30",
      "2;€ 1.000.000,00;0,3;nein;1.2.2024;methan;1.1.2024 08:00",
      "3;-0,000000000000000000001 EUR;100%;J;;N2O;",
    ].join("\n") + "\n";
    await committed(app, "register", csv);
    assertEquals(
      await text(app, "/api/v1/upload-types/register/export.csv"),
      lines(
        "nummer,betrag,anteil,aktiv,datum,stoff,gemeldet",
        "1,1234.5,0.125,true,2024-01-31,CO2,2024-07-01T12:30:00+00:00",
        "2,1000000.00,0.3,false,2024-02-01,CH4,2024-01-01T07:00:00+00:00",
        "3,-0.000000000000000000001,1.00,true,,N2O,",
      ),
    );

    const bad = [
      "Nummer;Betrag;Anteil;Aktiv;Datum;Stoff;Gemeldet",
      "4;1,234.5;150%;yes;2024-31-01;Ozon;2024-01-01 08:00",
    ].join("\n") + "\n";
    const run = await staged(app, "register", bad);
    assertEquals(await invalidRows(app, run), [[2, [
      {
        column: "betrag",
        code: "type",
        message: "Must be a number written like 1.234,5",
        value: "1,234.5",
      },
      { column: "anteil", code: "max", message: "Must be at most 1", value: "150%" },
      {
        column: "aktiv",
        code: "type",
        message: "Must be true (Ja, J) or false (Nein, N)",
        value: "yes",
      },
      {
        column: "datum",
        code: "type",
        message: "Must be a real date written YYYY-MM-DD or d.M.yyyy",
        value: "2024-31-01",
      },
      { column: "stoff", code: "enum", message: "Must be one of CO2, CH4, N2O", value: "Ozon" },
    ]]]);
  },
);

valuesTest("the upload page lists the shapes a column reads", async (app) => {
  const page = await text(app, "/upload/register");
  for (
    const rule of [
      "written like 1.234,5",
      "12.5% is 0.125",
      "Ja/J or Nein/N",
      "YYYY-MM-DD or d.M.yyyy",
      "ISO 8601 or d.M.yyyy HH:mm; times in Europe/Berlin unless they give an offset",
    ]
  ) {
    assertEquals(page.includes(rule), true, `the page says "${rule}"`);
  }
  assertEquals((await text(app, "/upload/airports")).includes("NA, N/A mean empty"), true);
});

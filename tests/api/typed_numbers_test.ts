/**
 * Numbers that arrive typed (an XLSX number cell, a JSON number) are numbers, not text in the
 * type's locale: under a decimal comma and thousands dots (the register type), a workbook's
 * 1234.5 is 1234.5 and its 1.234 stays 1.234, while text cells in the same file are still read
 * with the separators. Workbooks from real writers (exceljs, LibreOffice) and JSON, through the
 * API on both databases, with what is stored checked in `export.csv`.
 */
import { assert, assertEquals } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { createValueTables, VALUE_TYPES } from "../value_types.ts";
import { type Cell, excelJsWorkbook, findSoffice, libreOfficeWorkbook } from "../real_xlsx.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER = ["Nummer", "Betrag", "Anteil", "Aktiv", "Datum", "Stoff", "Gemeldet"];
// Typed numbers (1234.5, 1.234, a percent as its fraction) beside the same values as text.
const ROWS: Cell[][] = [
  [1, 1234.5, 0.125, "Ja", new Date(Date.UTC(2024, 0, 31)), "Kohlendioxid", "1.7.2024 14:30"],
  [2, 1.234, 0.3, "Nein", "1.2.2024", "Methan", null],
  ["1.003", "1.234,5", "12,5%", "J", null, "N2O", null],
];
const STORED = [
  "nummer,betrag,anteil,aktiv,datum,stoff,gemeldet",
  "1,1234.5,0.125,true,2024-01-31,CO2,2024-07-01T12:30:00+00:00",
  "2,1.234,0.3,false,2024-02-01,CH4,",
  "1003,1234.5,0.125,true,,N2O,",
].join("\r\n") + "\r\n";

function typedTest(name: string, fn: (app: TestApp) => Promise<void>): void {
  appTest(name, fn, {}, VALUE_TYPES, createValueTables);
}

async function upload(app: TestApp, file: File, mode = "direct"): Promise<Json> {
  const form = new FormData();
  form.set("file", file);
  const res = await app.fetch(`/api/v1/uploads/register?mode=${mode}`, {
    method: "POST",
    body: form,
  });
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  return run;
}

async function exported(app: TestApp): Promise<string> {
  const res = await app.fetch("/api/v1/upload-types/register/export.csv");
  assertEquals(res.status, 200);
  return await res.text();
}

async function invalidRows(app: TestApp, run: Json): Promise<Array<[number, Json[]]>> {
  const { rows } = await app.json<Json>(
    await app.fetch(`/api/v1/runs/${run.id}/rows?action=invalid`),
  );
  return rows.map((r: Json) => [r.rowNumber, r.errors]);
}

typedTest("exceljs: number cells are numbers, text cells read with the separators", async (app) => {
  const book = await excelJsWorkbook({ header: HEADER, rows: ROWS });
  const run = await upload(app, new File([book], "register.xlsx", { type: XLSX }));
  assertEquals(run.status, "committed", JSON.stringify(run));
  assertEquals(await exported(app), STORED);
});

const soffice = findSoffice();
// Locally without LibreOffice the test is not registered; CI installs it (tests/real_xlsx.ts).
if (soffice || Deno.env.get("CI") === "true") {
  typedTest("LibreOffice: number cells are numbers under a decimal comma", async (app) => {
    assert(soffice, "soffice is not on PATH: CI must install libreoffice-calc-nogui");
    const book = await libreOfficeWorkbook(soffice, { header: HEADER, rows: ROWS });
    const run = await upload(app, new File([book], "register.xlsx", { type: XLSX }));
    assertEquals(run.status, "committed", JSON.stringify(run));
    assertEquals(await exported(app), STORED);
  });
}

typedTest("JSON: numbers are numbers (exactly), strings read with the separators", async (app) => {
  const json = `[
    {"Nummer": 1, "Betrag": 1234.5, "Anteil": 0.125, "Aktiv": "Ja", "Datum": "2024-01-31",
     "Stoff": "Kohlendioxid", "Gemeldet": "1.7.2024 14:30"},
    {"Nummer": 2, "Betrag": 1.234, "Anteil": 0.3, "Aktiv": "Nein", "Datum": "1.2.2024",
     "Stoff": "Methan", "Gemeldet": null},
    {"Nummer": "1.003", "Betrag": "1.234,5", "Anteil": "12,5%", "Aktiv": "J", "Datum": null,
     "Stoff": "N2O", "Gemeldet": null},
    {"Nummer": 1004, "Betrag": 12345678901234567890.123456789, "Anteil": 1, "Aktiv": "J",
     "Datum": null, "Stoff": "N2O", "Gemeldet": null}
  ]`;
  const run = await upload(app, new File([json], "register.json", { type: "application/json" }));
  assertEquals(run.status, "committed", JSON.stringify(run));
  assertEquals(
    await exported(app),
    STORED.replace(/\r\n$/, "\r\n1004,12345678901234567890.123456789,1,true,,N2O,\r\n"),
  );
});

typedTest("a typed number still meets its column's rules; text keeps the locale", async (app) => {
  const json = `[
    {"Nummer": 1.5, "Betrag": 10, "Anteil": 1.5, "Aktiv": "Ja", "Datum": null, "Stoff": "N2O",
     "Gemeldet": null},
    {"Nummer": 2, "Betrag": "1234.5", "Anteil": 0.5, "Aktiv": "Ja", "Datum": null, "Stoff": "N2O",
     "Gemeldet": null}
  ]`;
  const run = await upload(
    app,
    new File([json], "register.json", { type: "application/json" }),
    "staged",
  );
  assertEquals(await invalidRows(app, run), [
    [2, [
      { column: "nummer", code: "type", message: "Must be a whole number", value: "1.5" },
      { column: "anteil", code: "max", message: "Must be at most 1", value: "1.5" },
    ]],
    [3, [{
      column: "betrag",
      code: "type",
      message: "Must be a number written like 1.234,5",
      value: "1234.5",
    }]],
  ]);
});

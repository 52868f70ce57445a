/**
 * The bad-input corpus (`tests/fixtures/bad/`) through real HTTP, as a browser form and as a raw
 * body, staged and direct: each file is refused with its documented error type and status (and
 * the target table left as it was), or imported with exactly the right rows; the server stays
 * healthy either way.
 *
 * @module
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { appTest, type TestApp } from "./app_harness.ts";
import { FACILITIES } from "./api/fixtures.ts";
import { BIG_FIELD_CHARS, generateBadFiles, WIDE_COLUMNS } from "./fixtures/bad/generate.ts";
import type { DemoTables } from "./demo_tables.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;
type Bytes = Uint8Array<ArrayBuffer>;
type Mode = "direct" | "staged";
type Via = "form" | "raw";

const BAD = new URL("./fixtures/bad/", import.meta.url);
const generated = await generateBadFiles();

/** A corpus file's bytes: generated, or committed in `tests/fixtures/bad/`. */
async function corpus(name: string): Promise<Bytes> {
  return generated[name] ?? await Deno.readFile(new URL(name, BAD)) as Bytes;
}

/** Uploads a corpus file as a multipart form (as browsers do) or as a raw `text/csv` body. */
async function send(
  app: TestApp,
  name: string,
  options: { type?: string; mode?: Mode; via?: Via } = {},
): Promise<{ res: Response; body: Json }> {
  const { type = "facilities", mode = "direct", via = "form" } = options;
  const bytes = await corpus(name);
  const res = via === "form"
    ? await app.upload(type, bytes, { mode, fileName: name })
    : await app.fetch(`/api/v1/uploads/${type}?mode=${mode}`, {
      method: "POST",
      body: bytes,
      headers: { "content-type": "text/csv", "x-file-name": name },
    });
  return { res, body: await res.json() };
}

async function exportText(app: TestApp, type = "facilities"): Promise<string> {
  const res = await app.fetch(`/api/v1/upload-types/${type}/export.csv`);
  assertEquals(res.status, 200);
  return await res.text();
}

/** The facilities the emissions fixtures reference (ABC-000101 to ABC-000104). */
async function addFacilities(app: TestApp): Promise<void> {
  await app.db.kysely.withTables<DemoTables>().insertInto("facilities").values(
    [1, 2, 3, 4].map((n) => ({ facility_id: `ABC-00010${n}`, name: `Facility ${n}` })),
  ).execute();
}

async function rowsOf(app: TestApp, runId: string): Promise<Json[]> {
  const res = await app.fetch(`/api/v1/runs/${runId}/rows?limit=1000`);
  assertEquals(res.status, 200);
  return (await res.json()).rows;
}

async function errorsCsv(app: TestApp, runId: string): Promise<string[]> {
  const res = await app.fetch(`/api/v1/runs/${runId}/errors.csv`);
  assertEquals(res.status, 200);
  return (await res.text()).trimEnd().split("\r\n");
}

/** The process answers and its database too. */
async function assertHealthy(app: TestApp): Promise<void> {
  for (const path of ["/health", "/health/ready"]) {
    const res = await app.fetch(path);
    await res.body?.cancel();
    assertEquals(res.status, 200, `${path} after the bad input`);
  }
}

/** Uploads a file that must succeed and returns the run. */
async function accepted(
  app: TestApp,
  name: string,
  options: { type?: string; mode?: Mode; via?: Via } = {},
) {
  const { res, body } = await send(app, name, options);
  assertEquals(res.status, 201, `${name}: ${JSON.stringify(body)}`);
  assertEquals(body.status, options.mode === "staged" ? "staged" : "committed");
  return body;
}

/** The first byte that makes the garbage file look binary (a control byte, not NUL). */
function firstControlByte(bytes: Uint8Array): number {
  return bytes.findIndex((b) => b < 0x20 && (b < 0x09 || b > 0x0d) && b !== 0x1a);
}

interface Refusal {
  file: string;
  status: number;
  type: string;
  /** Details the error must carry (a subset). */
  details?: Json;
  message?: RegExp;
}

const REFUSED: Refusal[] = [
  { file: "empty.csv", status: 400, type: "bad_request", message: /empty/ },
  { file: "blank_lines.csv", status: 400, type: "bad_request", message: /empty/ },
  {
    file: "unclosed_quote.csv",
    status: 422,
    type: "parse_error",
    details: { line: 3, row: 3 },
    message: /Unclosed quote: the field opened on line 3 never ends/,
  },
  {
    file: "nul_bytes.csv",
    status: 422,
    type: "parse_error",
    details: { line: 2, offset: 30 },
    message: /looks binary.*NUL byte at offset 30 \(line 2\)/,
  },
  {
    file: "invalid_utf8.csv",
    status: 422,
    type: "encoding_error",
    details: { line: 2, offset: 31 },
    message: /not valid UTF-8: byte 0xE9 at offset 31 \(line 2\).*windows-1252/,
  },
  {
    file: "garbage.csv",
    status: 422,
    type: "parse_error",
    details: { offset: firstControlByte(generated["garbage.csv"]) },
    message: /looks binary, not text: control byte/,
  },
  {
    file: "zip.csv",
    status: 415,
    type: "unsupported_file_type",
    details: { detected: "zip" },
    message: /ZIP archive .*\.xlsx/,
  },
  {
    file: "workbook_named.csv",
    status: 415,
    type: "unsupported_file_type",
    details: { detected: "zip" },
    message: /Excel workbook.*upload it with its \.xlsx name/,
  },
  {
    file: "duplicate_headers.csv",
    status: 422,
    type: "header_error",
    details: { duplicate: ["Name", "name"], missing: [], blank: [] },
    message: /columns 2 and 4 \("Name" and "name"\) both mean column "name"/,
  },
  {
    file: "blank_headers.csv",
    status: 422,
    type: "header_error",
    details: { blank: [2], duplicate: [] },
    message: /column 2 has no header/,
  },
  {
    file: "too_many_columns.csv",
    status: 413,
    type: "limit_exceeded",
    details: { line: 1, limit: "maxColumns", max: 20_000 },
    message: /Too many columns/,
  },
];

appTest(
  "every refused file gets its typed error, leaves the table alone, server stays up",
  async (app) => {
    const seeded = await app.upload("facilities", FACILITIES);
    assertEquals(seeded.status, 201);
    await seeded.body?.cancel();
    const before = await exportText(app);

    for (const refusal of REFUSED) {
      for (const mode of ["direct", "staged"] as const) {
        for (const via of ["form", "raw"] as const) {
          const what = `${refusal.file} (${mode}, ${via})`;
          const { res, body } = await send(app, refusal.file, { mode, via });
          assertEquals(res.status, refusal.status, `${what}: ${JSON.stringify(body)}`);
          assertEquals(body.error.type, refusal.type, what);
          if (refusal.message) assertMatch(body.error.message, refusal.message, what);
          for (const [key, value] of Object.entries(refusal.details ?? {})) {
            assertEquals(body.error.details[key], value, `${what}: details.${key}`);
          }
          const runId = body.error.details.runId;
          // An empty body is refused before a run exists; every other refusal names its run.
          if (refusal.file !== "empty.csv" || via === "form") {
            assert(runId, `${what}: details.runId`);
            assertEquals(res.headers.get("location"), `/api/v1/runs/${runId}`, what);
            const run = await (await app.fetch(`/api/v1/runs/${runId}`)).json();
            assertEquals([run.status, run.error.type], ["failed", refusal.type], what);
            assertEquals(await rowsOf(app, runId), [], `${what}: no staged rows left`);
          }
          assertEquals(await exportText(app), before, `${what}: the table is unchanged`);
        }
      }
    }
    await assertHealthy(app);
  },
);

appTest("a header-only file is a run with no rows, staged or direct", async (app) => {
  for (const mode of ["direct", "staged"] as const) {
    const run = await accepted(app, "header_only.csv", { mode });
    assertEquals(run.counts.rows, 0);
    assertEquals(run.columns, ["facility_id", "name", "county"]);
  }
  assertEquals((await exportText(app)).trimEnd().split("\r\n").length, 1);
  await assertHealthy(app);
});

appTest("BOMs, UTF-16 and every kind of line end give the same rows", async (app) => {
  const bom = await accepted(app, "bom.csv", { via: "raw" });
  assertEquals(bom.headers, ["facility_id", "name", "county"], "the BOM is not part of the header");
  for (const name of ["utf16le_bom.csv", "utf16be_bom.csv"]) {
    const run = await accepted(app, name, { mode: "staged" });
    const rows = await rowsOf(app, run.id);
    assertEquals(rows.map((r) => [r.rowNumber, r.values.name, r.values.county]), [
      [2, "Zürich Works", "Zürich"],
    ]);
  }
  const cr = await accepted(app, "cr_only.csv", { mode: "staged" });
  assertEquals((await rowsOf(app, cr.id)).map((r) => [r.rowNumber, r.line, r.values.name]), [
    [2, 2, "One"],
    [3, 3, "Two"],
  ]);
  const mixed = await accepted(app, "mixed_line_ends.csv", { mode: "staged" });
  assertEquals(
    (await rowsOf(app, mixed.id)).map((r) => [r.rowNumber, r.line, r.values.name, r.values.county]),
    [[2, 2, "One", "two\nlines"], [3, 4, "Two", "x"], [4, 5, "Three", "y"]],
  );
  for (const name of ["cr_only.csv", "mixed_line_ends.csv"]) await accepted(app, name);
  assertEquals(
    await exportText(app),
    [
      "facility_id,name,county,latitude,longitude,opened_on,active",
      'ABC-000101,One,"two\nlines",,,,',
      "ABC-000102,Two,x,,,,",
      "ABC-000103,Three,y,,,,",
      "",
    ].join("\r\n"),
  );
  await assertHealthy(app);
});

appTest("ragged rows are invalid with ragged_row; padding is not", async (app) => {
  const { res, body } = await send(app, "ragged.csv");
  assertEquals(res.status, 422, JSON.stringify(body));
  assertEquals(body.error.type, "validation_error");
  assertEquals(body.error.details.counts.invalid, 2);
  assertEquals(
    await exportText(app),
    "facility_id,name,county,latitude,longitude,opened_on,active\r\n",
  );

  const run = await accepted(app, "ragged.csv", { mode: "staged" });
  assertEquals([run.counts.new, run.counts.invalid], [2, 2]);
  const rows = await rowsOf(app, run.id);
  assertEquals(rows.map((r) => [r.rowNumber, r.action, r.errors.map((e: Json) => e.code)]), [
    [2, "new", []],
    [3, "invalid", ["ragged_row"]],
    [4, "invalid", ["ragged_row"]],
    [5, "new", []],
  ]);
  assertMatch(
    rows[1].errors[0].message,
    /2 fields but the header has 3: a delimiter may be missing/,
  );
  assertMatch(rows[2].errors[0].message, /4 fields but the header has 3: remove the extra values/);
  const report = await errorsCsv(app, run.id);
  assertEquals(report.slice(1).map((line) => line.split(",")[0]), ["3", "4"]);
  await assertHealthy(app);
});

appTest("spreadsheet padding: blank header cells at the end, an empty first row", async (app) => {
  const run = await accepted(app, "trailing_blank_headers.csv");
  assertEquals([run.counts.new, run.columns], [2, ["facility_id", "name", "county"]]);
  const below = await accepted(app, "blank_first_row.csv", { mode: "staged" });
  assertEquals(below.headers, ["facility_id", "name"]);
  assertEquals((await rowsOf(app, below.id)).map((r) => [r.rowNumber, r.values.name]), [
    [3, "Below A Blank Row"],
  ]);
  assertEquals(
    await exportText(app),
    [
      "facility_id,name,county,latitude,longitude,opened_on,active",
      "ABC-000101,Padded One,Kent,,,,",
      "ABC-000102,Padded Two,,,,,",
      "",
    ].join("\r\n"),
  );
  await assertHealthy(app);
});

appTest("10,000 columns and a 1 MB field import, staged and direct", async (app) => {
  for (const mode of ["staged", "direct"] as const) {
    const wide = await accepted(app, "wide_10000_columns.csv", { mode });
    assertEquals(wide.columns, ["facility_id", "name"]);
    assertEquals(wide.ignoredColumns.length, WIDE_COLUMNS - 2);
    assertEquals(wide.headers.length, WIDE_COLUMNS);
    assertEquals(wide.counts.rows, 2);
  }
  const big = await accepted(app, "big_field_1mb.csv", { mode: "staged" });
  const [row] = await rowsOf(app, big.id);
  assertEquals(row.values.county.length, BIG_FIELD_CHARS);
  await accepted(app, "big_field_1mb.csv");
  const lines = (await exportText(app)).trimEnd().split("\r\n");
  assertEquals(lines.slice(1).map((l) => l.slice(0, 25)), [
    "ABC-000101,Big,xxxxxxxxxx",
    "ABC-000102,Wide Two,,,,,",
  ]);
  assertEquals(lines[1], `ABC-000101,Big,${"x".repeat(BIG_FIELD_CHARS)},,,,`);
  await assertHealthy(app);
});

appTest(
  "formula cells are stored as text and escaped in errors.csv and the export",
  async (app) => {
    const empty = await exportText(app);
    const direct = await send(app, "formulas.csv");
    assertEquals(direct.res.status, 422, JSON.stringify(direct.body));
    assertEquals(direct.body.error.type, "validation_error");
    assertEquals(await exportText(app), empty);

    const run = await accepted(app, "formulas.csv", { mode: "staged" });
    assertEquals([run.counts.new, run.counts.invalid], [3, 1]);
    const rows = await rowsOf(app, run.id);
    assertEquals(rows.map((r) => [r.values.name, r.values.county]), [
      ["=cmd|' /C calc'!A0", "+SUM(1;2)"],
      ["-2+3", "@SUM(A1)"],
      ["-12.5", "+44"],
      ["@evil", "=1+1"],
    ]);
    const report = await errorsCsv(app, run.id);
    assertEquals(report.length, 2);
    assertMatch(report[1], /^5,.*,"'=HYPERLINK\(""http:\/\/example\.com""\)",'@evil,'=1\+1$/);

    const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
    assertEquals(commit.status, 200);
    await commit.body?.cancel();
    assertEquals(
      await exportText(app),
      [
        "facility_id,name,county,latitude,longitude,opened_on,active",
        "ABC-000101,'=cmd|' /C calc'!A0,'+SUM(1;2),,,,",
        "ABC-000102,'-2+3,'@SUM(A1),,,,",
        "ABC-000103,-12.5,+44,,,,",
        "",
      ].join("\r\n"),
    );
    await assertHealthy(app);
  },
);

appTest(
  "numbers with thousands separators or decimal commas say how to write them",
  async (app) => {
    await addFacilities(app);
    const fix = (n: string) =>
      `Must be a number: write ${n} (no thousands separators, and a dot for decimals)`;
    for (
      const [file, expected] of [
        ["numbers_grouped.csv", [fix("1234.5"), fix("1234.5"), fix("1234.5")]],
        ["numbers_semicolon.csv", [fix("1234.5"), fix("12.5"), fix("1234.5")]],
      ] as const
    ) {
      const { res, body } = await send(app, file, { type: "emissions" });
      assertEquals(res.status, 422, JSON.stringify(body));
      assertEquals(body.error.type, "validation_error");

      const run = await accepted(app, file, { type: "emissions", mode: "staged" });
      assertEquals(run.columns, ["facility_id", "year", "pollutant", "amount", "unit"], file);
      const rows = await rowsOf(app, run.id);
      assertEquals(rows.map((r) => r.action), ["invalid", "invalid", "invalid", "new"], file);
      assertEquals(
        rows.slice(0, 3).map((r) => r.errors.map((e: Json) => e.message)),
        expected.map((m) => [m]),
      );
      assertEquals(rows.slice(0, 3).map((r) => r.errors[0].column), ["amount", "amount", "amount"]);
    }
    assertEquals(
      await exportText(app, "emissions"),
      "facility_id,year,pollutant,amount,unit,reported_on,notes\r\n",
    );
    await assertHealthy(app);
  },
);

appTest("dates in other formats are refused with the ISO date they mean", async (app) => {
  await addFacilities(app);
  const empty = await exportText(app, "emissions");
  const { res, body } = await send(app, "dates_other_formats.csv", { type: "emissions" });
  assertEquals(res.status, 422, JSON.stringify(body));
  assertEquals(body.error.type, "validation_error");
  assertEquals(await exportText(app, "emissions"), empty);
  const run = await accepted(app, "dates_other_formats.csv", { type: "emissions", mode: "staged" });
  const rows = await rowsOf(app, run.id);
  assertEquals(rows.map((r) => r.action), ["invalid", "invalid", "invalid", "new"]);
  assertEquals(
    rows.slice(0, 3).map((r) => [r.errors[0].column, r.errors[0].code, r.errors[0].value]),
    [
      ["reported_on", "type", "31/03/2025"],
      ["reported_on", "type", "2025-3-1"],
      ["reported_on", "type", "March 3, 2025"],
    ],
  );
  assertEquals(rows.slice(0, 3).map((r) => r.errors[0].message), [
    "Must be a real date written YYYY-MM-DD: write 2025-03-31",
    "Must be a real date written YYYY-MM-DD: write 2025-03-01",
    "Must be a real date written YYYY-MM-DD: write 2025-03-03",
  ]);
  await assertHealthy(app);
});

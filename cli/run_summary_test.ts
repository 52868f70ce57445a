import { assertEquals } from "../tests/assert.ts";
import { formatRunError, formatRunSummary } from "./run_summary.ts";
import { sampleRun } from "./testdata/sample_run.ts";

Deno.test("formatRunSummary() lists id, status, counts, duration and rate", () => {
  assertEquals(
    formatRunSummary(sampleRun(), 500),
    [
      "Run        6f1c1b7e-0000-4000-8000-000000000001",
      "Type       facilities",
      "File       facilities_changes.csv (975 bytes)",
      "Mode       staged",
      "Status     staged",
      "Rows       14",
      "New        3",
      "Changed    3",
      "Unchanged  4",
      "Invalid    4",
      "Deleted    0",
      "Duration   0.5 s",
      "Rate       28 rows/s",
    ].join("\n"),
  );
  // A run that failed on its header row read no rows and never learnt the file's size.
  const failed = formatRunSummary(
    sampleRun({ status: "failed", fileBytes: 0, counts: { ...sampleRun().counts, rows: 0 } }),
    100,
  );
  assertEquals(failed.split("\n").filter((l) => /^(File|Rate|Duration)/.test(l)), [
    "File       facilities_changes.csv",
    "Duration   0.1 s",
  ]);
});

Deno.test("formatRunError() spells out the details, the actionable ones first", () => {
  assertEquals(
    formatRunError({
      type: "header_error",
      message: 'The header row is not valid: missing the required columns "amount" and "unit"',
      // In the order the database returns JSON keys (shortest first).
      details: {
        blank: [],
        found: ["facility", "year"],
        missing: ["amount", "unit"],
        duplicate: [],
        unexpected: ["notes"],
      },
    }),
    [
      'Error (header_error): The header row is not valid: missing the required columns "amount" and "unit"',
      "  missing     amount, unit",
      "  unexpected  notes",
      "  found       facility, year",
    ].join("\n"),
  );
  assertEquals(
    formatRunError({
      type: "parse_error",
      message: "Unclosed quote",
      details: { line: 3, counts: { rows: 2, invalid: 1 }, rows: [{ row: 4, column: "x" }] },
    }),
    [
      "Error (parse_error): Unclosed quote",
      "  line    3",
      "  counts  rows=2 invalid=1",
      "  rows    row=4 column=x",
    ].join("\n"),
  );
  assertEquals(
    formatRunError({ type: "conflict", message: "No", details: {} }),
    "Error (conflict): No",
  );
});

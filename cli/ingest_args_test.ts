import { assertEquals, assertMatch, assertThrows } from "../tests/assert.ts";
import { UsageError } from "./args.ts";
import { parseIngestArgs } from "./ingest_args.ts";

const base = {
  action: "ingest",
  databaseUrl: undefined,
  json: false,
  type: "facilities",
  mode: "direct",
  format: "csv",
  contentType: "text/csv",
  delimiter: undefined,
  encoding: undefined,
  sheet: undefined,
  mapping: undefined,
  report: undefined,
};

Deno.test("parseIngestArgs() reads a direct import with defaults", () => {
  assertEquals(parseIngestArgs(["facilities", "a.csv"]), { ...base, path: "a.csv" });
});

Deno.test("parseIngestArgs() reads the mode, delimiter, encoding, report and database", () => {
  assertEquals(
    parseIngestArgs([
      "facilities",
      "a.txt",
      "--staged",
      "--delimiter",
      "tab",
      "--encoding=CP1252",
      "--report",
      "out.csv",
      "--database-url",
      "postgres://u@h/db",
      "--json",
    ]),
    {
      ...base,
      path: "a.txt",
      mode: "staged",
      delimiter: "\t",
      encoding: "windows-1252",
      report: "out.csv",
      databaseUrl: "postgres://u@h/db",
      json: true,
    },
  );
  assertEquals(parseIngestArgs(["facilities", "a.csv", "--mode", "staged"]).action, "ingest");
  for (const delimiter of [",", ";", "|"]) {
    const command = parseIngestArgs(["facilities", "a.csv", "--delimiter", delimiter]);
    assertEquals(command.action === "ingest" && command.delimiter, delimiter);
  }
});

Deno.test("parseIngestArgs() takes the format from the file name", () => {
  const kind = (path: string) => {
    const c = parseIngestArgs(["facilities", path]);
    return c.action === "ingest" ? [c.format, c.contentType, c.delimiter] : null;
  };
  assertEquals(kind("a.TSV"), ["csv", "text/tab-separated-values", "\t"]);
  assertEquals(kind("a.tab"), ["csv", "text/tab-separated-values", "\t"]);
  assertEquals(kind("a.json"), ["json", "application/json", undefined]);
  assertEquals(kind("a.ndjson"), ["ndjson", "application/x-ndjson", undefined]);
  assertEquals(kind("a.jsonl"), ["ndjson", "application/x-ndjson", undefined]);
  assertEquals(kind("/dev/stdin"), ["csv", "text/csv", undefined]);
  assertEquals(kind("Book.XLSX"), [
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    undefined,
  ]);
  const sheet = parseIngestArgs(["facilities", "b.xlsx", "--sheet", "Sites 2024"]);
  assertEquals(sheet.action === "ingest" && sheet.sheet, "Sites 2024");
  // An explicit delimiter wins over the extension.
  const tsv = parseIngestArgs(["facilities", "a.tsv", "--delimiter", ";"]);
  assertEquals(tsv.action === "ingest" && tsv.delimiter, ";");
});

Deno.test("parseIngestArgs() reads --commit and --discard", () => {
  assertEquals(parseIngestArgs(["--commit", "r1"]), {
    action: "commit",
    runId: "r1",
    databaseUrl: undefined,
    json: false,
  });
  assertEquals(parseIngestArgs(["--discard=r2", "--json"]), {
    action: "discard",
    runId: "r2",
    databaseUrl: undefined,
    json: true,
  });
  assertEquals(parseIngestArgs(["x", "--help"]), { action: "help" });
});

Deno.test("parseIngestArgs() reads a column mapping", () => {
  assertEquals(
    parseIngestArgs(["facilities", "a.csv", "--mapping", '{"Site": "facility_id", "Notes": null}']),
    { ...base, path: "a.csv", mapping: { Site: "facility_id", Notes: null } },
  );
});

Deno.test("parseIngestArgs() explains bad usage", () => {
  const message = (args: string[]) => {
    const err = assertThrows(() => parseIngestArgs(args));
    if (!(err instanceof UsageError)) throw err;
    return err.message;
  };
  assertEquals(message(["a", "b", "c"]), 'Unexpected argument "c"');
  assertEquals(message(["a", "b", "-x"]), 'Unknown flag "-x"');
  assertEquals(message(["--commit", ""]), "--commit needs a run id");
  assertEquals(
    message(["a", "b.csv", "--sheet", "x"]),
    "--sheet applies to Excel (.xlsx) files, not csv",
  );
  assertEquals(
    message(["a", "b.xlsx", "--encoding", "latin1"]),
    "--encoding does not apply to Excel files",
  );
  assertEquals(
    message(["a", "b.csv", "--encoding", "constructor"]),
    'Invalid --encoding "constructor": use one of utf-8, latin1, windows-1252',
  );
  assertEquals(
    message(["a", "b.xlsx", "--delimiter", ";"]),
    "--delimiter applies to CSV and TSV files, not xlsx",
  );
  assertMatch(message(["a", "b", "--mapping", "{nope"]), /^Invalid --mapping: .*not valid JSON/);
  assertEquals(
    message(["--commit", "x", "--mapping", "{}"]),
    "--commit takes a run id only, not --mapping",
  );
  assertEquals(message(["a", "b", "--json=yes"]), "Option '--json' does not take an argument");
  assertMatch(
    message(["a", "b", "--database-url", "pg://u:pw@h"]),
    /^Invalid --database-url with scheme "pg"/,
  );
});

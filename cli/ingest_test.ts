import { sql } from "kysely";
import type { Database } from "../db/database.ts";
import type { Run } from "../core/runs/run.ts";
import { openPgliteDatabase } from "../db/pglite_database.ts";
import { assert, assertEquals, assertMatch } from "../tests/assert.ts";
import { writeXlsx } from "../tests/xlsx_writer.ts";
import { cliTargets, openSeededPglite, runCli } from "./testdata/cli_harness.ts";

const EXAMPLES = new URL("../examples/", import.meta.url).pathname;
const example = (name: string) => `${EXAMPLES}${name}`;

async function count(db: Database, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`
    .execute(db.kysely);
  return rows[0].n;
}

/** The `row` column of an error report, one entry per invalid row. */
async function reportRows(path: string): Promise<string[]> {
  const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
  assertMatch(lines[0], /^row,errors,/);
  return lines.slice(1).map((line) => line.split(",")[0]);
}

// PostgreSQL first: PGlite opened in this process leaves a timer that re-arms itself after
// close() (tests/db_harness.ts), which the PostgreSQL test's sanitizer would count as its own.
for (const target of cliTargets().reverse()) {
  Deno.test({
    name: target.ignore
      ? `[${target.name}] deno task ingest and runs (skipped: ${target.reason})`
      : `[${target.name}] deno task ingest and runs against the database`,
    ignore: target.ignore,
    // PGlite opened in this process can leave a timer armed after close() (tests/db_harness.ts).
    sanitizeOps: target.name !== "pglite",
    sanitizeResources: target.name !== "pglite",
    async fn(t) {
      await using cli = await target.openCli();
      const reportDir = await Deno.makeTempDir({ prefix: "intake-cli-report-" });
      await using _reports = {
        [Symbol.asyncDispose]: () => Deno.remove(reportDir, { recursive: true }),
      };

      await t.step(
        "a clean file imports directly: exit 0, summary, rows in the table",
        async () => {
          const report = `${reportDir}/clean.csv`;
          const r = await cli.run("ingest", [
            "facilities",
            example("facilities_clean.csv"),
            "--report",
            report,
          ]);
          assertEquals(r.code, 0, r.stderr);
          assertMatch(r.stdout, /^Status +committed$/m);
          assertMatch(r.stdout, /^New +20$/m);
          assertMatch(r.stdout, /^Rate +[\d,]+ rows\/s$/m);
          // stderr is not a terminal here: no bar, one plain line at the end.
          assertMatch(r.stderr, /^Processed 1\.4 KB, 20 rows in \d+\.\d s: [\d,]+ rows\/s\n/);
          // Asked for, the report is written even with no invalid row: just the header.
          assertEquals(
            r.stderr.split("\n").slice(1),
            [`Error report (0 invalid rows): ${report}`, ""],
          );
          assertEquals(
            await Deno.readTextFile(report),
            "row,errors,facility_id,name,county,latitude,longitude,opened_on,active\r\n",
          );
          assertEquals(await cli.inspect((db) => count(db, "facilities")), 20);
        },
      );

      await t.step("--staged --json prints the run as stored; --commit writes it", async () => {
        const staged = await cli.run("ingest", [
          "emissions",
          example("emissions_clean.csv"),
          "--staged",
          "--json",
        ]);
        assertEquals(staged.code, 0, staged.stderr);
        const run = JSON.parse(staged.stdout) as Run;
        assertEquals([run.status, run.mode, run.counts.new, run.fileName], [
          "staged",
          "staged",
          40,
          "emissions_clean.csv",
        ]);
        await cli.inspect(async (db, store) => {
          assertEquals(await store.getRun(run.id), run);
          assertEquals(await count(db, "emissions"), 0);
        });

        const committed = await cli.run("ingest", ["--commit", run.id, "--json"]);
        assertEquals(committed.code, 0, committed.stderr);
        const done = JSON.parse(committed.stdout) as Run;
        assertEquals([done.id, done.status], [run.id, "committed"]);
        await cli.inspect(async (db, store) => {
          assertEquals(await store.getRun(run.id), done);
          assertEquals(await count(db, "emissions"), 40);
        });
      });

      await t.step("staged with invalid rows: exit 1, the report, then commit", async () => {
        const report = `${reportDir}/facilities_errors.csv`;
        const r = await cli.run("ingest", [
          "facilities",
          example("facilities_changes.csv"),
          "--staged",
          "--report",
          report,
        ]);
        assertEquals(r.code, 1, r.stderr);
        const id = r.stdout.match(/^Run +([0-9a-f-]{36})$/m)?.[1];
        assert(id, r.stdout);
        assertMatch(r.stdout, /^Status +staged$/m);
        for (const [label, n] of [["New", 3], ["Changed", 3], ["Unchanged", 4], ["Invalid", 4]]) {
          assertMatch(r.stdout, new RegExp(`^${label} +${n}$`, "m"));
        }
        assertMatch(r.stdout, new RegExp(`deno task ingest --commit ${id}`));
        assertMatch(r.stderr, new RegExp(`Error report \\(4 invalid rows\\): ${report}`));
        assertEquals(await reportRows(report), ["12", "13", "14", "15"]);

        const committed = await cli.run("ingest", ["--commit", id]);
        assertEquals(committed.code, 0, committed.stderr);
        assertMatch(committed.stdout, /^Status +committed$/m);
        assertEquals(await cli.inspect((db) => count(db, "facilities")), 23);

        const again = await cli.run("ingest", ["--commit", id]);
        assertEquals(again.code, 1, again.stderr);
        assertMatch(again.stderr, /^Error \(conflict\): .*is committed, expected staged/m);
      });

      await t.step("--discard discards a staged run", async () => {
        const staged = await cli.run("ingest", [
          "emissions",
          example("emissions_changes.csv"),
          "--mode",
          "staged",
          "--json",
        ]);
        assertEquals(staged.code, 1, staged.stderr);
        const run = JSON.parse(staged.stdout) as Run;
        assertEquals([run.status, run.counts.invalid], ["staged", 6]);
        const discarded = await cli.run("ingest", ["--discard", run.id]);
        assertEquals(discarded.code, 0, discarded.stderr);
        assertMatch(discarded.stdout, /^Status +discarded$/m);
        assertEquals(await cli.inspect((db) => count(db, "emissions")), 40);
      });

      await t.step("invalid rows in a direct import: exit 1, nothing written, report", async () => {
        const r = await cli.run("ingest", ["facilities", example("facilities_changes.csv")]);
        assertEquals(r.code, 1, r.stderr);
        assertMatch(r.stdout, /^Status +failed$/m);
        assertMatch(r.stderr, /^Error \(validation_error\): 4 of 14 rows are invalid/m);
        const report = r.stderr.match(/^Error report \(4 invalid rows\): (.+)$/m)?.[1];
        assert(report, r.stderr);
        try {
          assertEquals(await reportRows(report), ["12", "13", "14", "15"]);
        } finally {
          await Deno.remove(report.replace(/\/[^/]+$/, ""), { recursive: true });
        }
        assertEquals(await cli.inspect((db) => count(db, "facilities")), 23);
      });

      await t.step("a missing required column: exit 1 naming it", async () => {
        const r = await cli.run("ingest", [
          "emissions",
          example("emissions_missing_column.csv"),
          "--report",
          `${reportDir}/no/such/dir.csv`,
        ]);
        assertEquals(r.code, 1, r.stderr);
        assertMatch(r.stderr, /^Error \(header_error\): .*missing the required column "amount"/m);
        assertMatch(r.stderr, /^ {2}missing +amount$/m);
        // A report that cannot be written is said so; the exit code stays the run's.
        assertMatch(r.stderr, /^Cannot write the error report to ".*\/no\/such\/dir\.csv": /m);
      });

      await t.step("runs lists them newest first, filtered", async () => {
        const all = await cli.run("runs", ["--json", "--limit", "50"]);
        assertEquals(all.code, 0, all.stderr);
        const listed = JSON.parse(all.stdout) as { runs: Run[]; nextCursor: string | null };
        const stored = await cli.inspect((_, store) => store.listRuns({ limit: 50 }));
        assertEquals(listed, { runs: stored.items, nextCursor: null });
        assertEquals(listed.runs.map((run) => [run.uploadType, run.status]), [
          ["emissions", "failed"],
          ["facilities", "failed"],
          ["emissions", "discarded"],
          ["facilities", "committed"],
          ["emissions", "committed"],
          ["facilities", "committed"],
        ]);

        const table = await cli.run("runs", ["--type", "facilities", "--status", "committed"]);
        assertEquals(table.code, 0, table.stderr);
        const lines = table.stdout.trimEnd().split("\n");
        assertMatch(lines[0], /^ID +TYPE +STATUS +FILE +ROWS +NEW +CHANGED +UNCHANGED +INVALID/);
        const expected = listed.runs.filter((r) =>
          r.uploadType === "facilities" && r.status === "committed"
        );
        assertEquals(lines.slice(2).map((line) => line.split(/ +/).slice(0, 3)), [
          [expected[0].id, "facilities", "committed"],
          [expected[1].id, "facilities", "committed"],
        ]);
        assertMatch(lines[2], / facilities_changes\.csv +14 +3 +3 +4 +4 +0 /);
      });

      await t.step("an Excel workbook imports from the sheet named by --sheet", async () => {
        const book = `${reportDir}/new facilities.xlsx`;
        await Deno.writeFile(
          book,
          await writeXlsx([
            { name: "Read me", rows: [["Not the data"]] },
            {
              name: "Facilities",
              rows: [
                ["Facility ID", "Name", "Active"],
                ["ABC-900001", "West Yard", true],
                ["ABC-900002", "East Yard", false],
              ],
            },
          ]),
        );
        const r = await cli.run("ingest", ["facilities", book, "--sheet", "Facilities", "--json"]);
        assertEquals(r.code, 0, r.stderr);
        const run = JSON.parse(r.stdout) as Run;
        assertEquals([run.status, run.fileName, run.counts.new], [
          "committed",
          "new facilities.xlsx",
          2,
        ]);
        assertEquals(await cli.inspect((db) => count(db, "facilities")), 25);
      });
    },
  });
}

Deno.test("ingest: usage errors exit 2 before the database is opened", async () => {
  const dataDir = `${await Deno.makeTempDir({ prefix: "intake-cli-" })}/data`;
  const run = (args: string[]) => runCli("ingest", args, { INTAKE_DATA_DIR: dataDir });
  try {
    const unknown = await run(["nope", example("facilities_clean.csv")]);
    assertEquals(unknown.code, 2, unknown.stderr);
    assertMatch(
      unknown.stderr,
      /^Error \(unknown_upload_type\): Unknown upload type "nope": the known types are "emissions", "facilities"$/m,
    );
    const cases: Array<[string[], RegExp]> = [
      [["facilities"], /^Missing the file$/m],
      [[], /^Missing the upload type and the file$/m],
      [["facilities", "no/such.csv"], /^Cannot read "no\/such\.csv": no such file$/m],
      [["facilities", EXAMPLES], /it is a directory$/m],
      [["facilities", "x.csv", "--bogus"], /^Unknown flag "--bogus"$/m],
      [["facilities", "x.csv", "--limit", "3"], /^Unknown flag "--limit"$/m],
      [["facilities", "x.csv", "--mode", "later"], /^Invalid --mode "later": use one of/m],
      [["facilities", "x.csv", "--staged", "--mode", "direct"], /contradicts/],
      [["facilities", "x.csv", "--delimiter", "#"], /^Invalid --delimiter "#"/m],
      [["facilities", "x.json", "--delimiter", ","], /applies to CSV and TSV files, not json/],
      [["facilities", "x.csv", "--encoding", "ebcdic"], /^Invalid --encoding "ebcdic"/m],
      [["--commit", "abc", "--discard", "abc"], /either --commit or --discard/],
      [["--commit", "abc", "facilities"], /^--commit takes a run id only, not "facilities"$/m],
      [["--discard", "abc", "--staged"], /^--discard takes a run id only, not --staged$/m],
      [["--commit"], /argument missing/],
      [["a", "b", "--database-url", "mysql://u:secret@h/db"], /scheme "mysql"/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      assertEquals([r.code, r.stdout], [2, ""], `${args.join(" ")}: ${r.stderr}`);
      assertMatch(r.stderr, message, args.join(" "));
      assertMatch(r.stderr, /Run with --help for usage\.\n$/, args.join(" "));
      assert(!r.stderr.includes("secret"), r.stderr);
    }
    const help = await run(["--help"]);
    assertEquals(help.code, 0, help.stderr);
    assertMatch(help.stdout, /^Usage:\n {2}deno task ingest <type> <file>/);
    // None of it touched the database.
    assertEquals(await Deno.stat(dataDir).catch(() => null), null);
  } finally {
    await Deno.remove(dataDir.replace(/\/data$/, ""), { recursive: true });
  }
});

Deno.test({
  name: "ingest: refuses, with exit 3, a PGlite data directory another process holds",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "intake-cli-" });
    // What a running server holds: PGlite open on the directory.
    const held = await openSeededPglite(dataDir);
    try {
      const r = await runCli("ingest", ["facilities", example("facilities_clean.csv")], {
        INTAKE_DATA_DIR: dataDir,
      });
      assertEquals(r.code, 3, r.stderr);
      assertMatch(
        r.stderr,
        new RegExp(
          `^Error \\(database_unavailable\\): Cannot open the PGlite data directory "${dataDir}": ` +
            `another process \\(pid ${Deno.pid}\\) is using it`,
          "m",
        ),
      );
    } finally {
      await held.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "ingest: Ctrl-C while the file is read cancels the run and exits 130",
  ignore: Deno.build.os === "windows",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "intake-cli-" });
    const fifo = `${dir}/facilities.csv`;
    try {
      assert((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
      await (await openSeededPglite(`${dir}/data`)).close();
      const script = new URL("./ingest.ts", import.meta.url).pathname;
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script, "facilities", fifo],
        env: { DATABASE_URL: "", INTAKE_DATA_DIR: `${dir}/data` },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Opening the write end returns once the CLI has opened the file, so it is listening for
      // SIGINT; the file never ends, so only the interrupt can stop the run.
      const writer = await Deno.open(fifo, { write: true });
      await writer.write(new TextEncoder().encode("facility_id,name\nABC-000001,North\n"));
      child.kill("SIGINT");
      const output = await child.output();
      writer.close();
      const stderr = new TextDecoder().decode(output.stderr);
      assertEquals(output.code, 130, stderr);
      assertMatch(stderr, /^Error \(cancelled\): The upload was cancelled$/m);

      const db = await openPgliteDatabase({ dataDir: `${dir}/data` });
      try {
        const { rows } = await sql<{ status: string; type: string }>`
          SELECT status, error->>'type' AS type FROM ingest_runs`.execute(db.kysely);
        assertEquals(rows, [{ status: "failed", type: "cancelled" }]);
      } finally {
        await db.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("deno task ingest and deno task runs are wired in deno.json", async () => {
  const root = new URL("../", import.meta.url).pathname;
  for (
    const [task, usage] of [["ingest", /deno task ingest <type> <file>/], [
      "runs",
      /deno task runs \[--type/,
    ]] as const
  ) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", task, "--help"],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
    assertMatch(stdout, usage);
  }
});

import { assertEquals, assertMatch } from "../tests/assert.ts";
import { formatRunsTable } from "./runs.ts";
import { runCli } from "./testdata/cli_harness.ts";
import { sampleRun } from "./testdata/sample_run.ts";
import { runCounts } from "../tests/run_counts.ts";

Deno.test("formatRunsTable() aligns one run per line, counts to the right", () => {
  const staged = sampleRun();
  const committed = sampleRun({
    id: "6f1c1b7e-0000-4000-8000-000000000002",
    uploadType: "emissions",
    mode: "direct",
    status: "committed",
    fileName: "a_rather_long_file_name_from_the_2024_export.csv",
    counts: runCounts({ rows: 12_345, new: 12_345 }),
    stagedAt: null,
    finishedAt: "2024-05-06T07:08:13.250Z",
  });
  assertEquals(
    formatRunsTable([staged, committed], true),
    [
      "ID                                    TYPE        STATUS     FILE                        ROWS     NEW  CHANGED  UNCHANGED  INVALID  DELETED  STARTED (UTC)        DURATION",
      "------------------------------------  ----------  ---------  ------------------------  ------  ------  -------  ---------  -------  -------  -------------------  --------",
      "6f1c1b7e-0000-4000-8000-000000000001  facilities  staged     facilities_changes.csv        14       3        3          4        4        0  2024-05-06 07:08:09     1.5 s",
      "6f1c1b7e-0000-4000-8000-000000000002  emissions   committed  a_rather_lon…_export.csv  12,345  12,345        0          0        0        0  2024-05-06 07:08:09     4.3 s",
      "(older runs not shown: raise --limit)",
    ].join("\n"),
  );
  assertEquals(formatRunsTable([]), "No runs.");
});

Deno.test("runs: bad usage exits 2 before the database is opened", async () => {
  const dataDir = `${await Deno.makeTempDir({ prefix: "intake-cli-" })}/data`;
  try {
    const cases: Array<[string[], RegExp]> = [
      [
        ["--type", "nope"],
        /^Error \(unknown_upload_type\): Unknown upload type "nope": the known types are "emissions", "facilities"$/m,
      ],
      [
        ["--status", "done"],
        /^Invalid --status "done": use one of queued, receiving, processing, staged, committing, committed, reverted, discarded, failed$/m,
      ],
      [["--limit", "0"], /^Invalid --limit "0": expected a whole number from 1 to 500$/m],
      [["--limit", "ten"], /^Invalid --limit "ten"/m],
      [["facilities"], /^Unexpected argument 'facilities'/m],
      [["--staged"], /^Unknown flag "--staged"$/m],
    ];
    for (const [args, message] of cases) {
      const r = await runCli("runs", args, { INTAKE_DATA_DIR: dataDir });
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assertMatch(r.stderr, message, args.join(" "));
    }
    const help = await runCli("runs", ["-h"], { INTAKE_DATA_DIR: dataDir });
    assertEquals(help.code, 0, help.stderr);
    assertMatch(help.stdout, /^Usage: deno task runs /);
    assertEquals(await Deno.stat(dataDir).catch(() => null), null);
  } finally {
    await Deno.remove(dataDir.replace(/\/data$/, ""), { recursive: true });
  }
});

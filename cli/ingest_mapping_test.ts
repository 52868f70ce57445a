import { assertEquals, assertMatch } from "../tests/assert.ts";
import { cliTargets } from "./testdata/cli_harness.ts";

const OWN = "Site,Site name\nABC-000001,North Plant\nABC-000002,South Plant\n";
const MAPPING = '{"Site": "facility_id", "Site name": "name"}';

// PostgreSQL first, as in ingest_test.ts: PGlite opened in this process leaves a timer armed.
for (const target of cliTargets().reverse()) {
  Deno.test({
    name: `[${target.name}] ingest --mapping maps a file; a saved mapping needs it to confirm`,
    ignore: target.ignore,
    sanitizeOps: target.name !== "pglite",
    sanitizeResources: target.name !== "pglite",
    async fn() {
      await using cli = await target.openCli();
      const file = await Deno.makeTempFile({ suffix: ".csv" });
      await using _file = { [Symbol.asyncDispose]: () => Deno.remove(file) };
      await Deno.writeTextFile(file, OWN);

      const mapped = await cli.run("ingest", ["facilities", file, "--mapping", MAPPING]);
      assertEquals(mapped.code, 0, mapped.stderr);
      assertMatch(mapped.stdout, /^Status +committed$/m);

      // Committed from the command line (the operator, as admin): saved, and never used unasked.
      const asked = await cli.run("ingest", ["facilities", file]);
      assertEquals(asked.code, 1, asked.stderr);
      assertMatch(asked.stderr, /Error \(mapping_required\): A shared column mapping applies/);
      assertMatch(asked.stderr, /"Site" → "facility_id", "Site name" → "name"/);

      const confirmed = await cli.run("ingest", [
        "facilities",
        file,
        "--mapping",
        MAPPING,
        "--json",
      ]);
      assertEquals(confirmed.code, 0, confirmed.stderr);
      const run = JSON.parse(confirmed.stdout);
      assertEquals([run.status, run.counts.unchanged], ["committed", 2]);
      assertEquals(run.mapping.saved.shared, true);
      assertEquals(run.mapping.columns.map((c: { source: string }) => c.source), [
        "saved",
        "saved",
      ]);
    },
  });
}

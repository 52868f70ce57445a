import { assert, assertEquals, assertMatch, test } from "../tests/assert.ts";
import { migrations } from "../migrations/mod.ts";
import { formatStatusTable, parseMigrateArgs, runMigrateCli } from "./migrate_cli.ts";

test("parseMigrateArgs() defaults to up and reads --steps for down", () => {
  assertEquals(parseMigrateArgs([]), { command: "up", steps: 1 });
  assertEquals(parseMigrateArgs(["down", "--steps", "3"]), { command: "down", steps: 3 });
  assertEquals(parseMigrateArgs(["down", "--steps=all"]), { command: "down", steps: "all" });
  assertEquals(parseMigrateArgs(["status"]), { command: "status", steps: 1 });
});

test("parseMigrateArgs() explains bad usage", () => {
  assertEquals(parseMigrateArgs(["sideways"]), { error: 'Unknown argument "sideways"' });
  assertEquals(parseMigrateArgs(["up", "--steps", "2"]), {
    error: '--steps applies only to "down", not "up"',
  });
  assertEquals(parseMigrateArgs(["down", "--steps", "x"]), {
    error: 'Invalid --steps "x": expected a whole number or "all"',
  });
});

test("parseMigrateArgs() reads create-table <type> and nothing else with it", () => {
  assertEquals(parseMigrateArgs(["create-table", "sites"]), {
    command: "create-table",
    uploadType: "sites",
  });
  assertEquals(parseMigrateArgs(["create-table"]), {
    error: "create-table needs the upload type's name",
  });
  assertEquals(parseMigrateArgs(["create-table", "a", "b"]), { error: 'Unexpected argument "b"' });
  assertEquals(parseMigrateArgs(["up", "create-table"]), {
    error: '"create-table" must come first',
  });
});

test("formatStatusTable() aligns names and shows pending ones", () => {
  assertEquals(
    formatStatusTable([
      { name: "0001_a", executedAt: new Date("2024-01-02T03:04:05.000Z") },
      { name: "0002_longer_name", executedAt: null },
    ]),
    [
      "Migration         Executed at",
      "----------------  ------------------------",
      "0001_a            2024-01-02T03:04:05.000Z",
      "0002_longer_name  pending",
    ].join("\n"),
  );
});

test("runMigrateCli() migrates PGlite in INTAKE_DATA_DIR and exits 0, 1 or 2", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "intake-migrate-cli-" });
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const code = await runMigrateCli(args, {
      env: (name) => ({ INTAKE_DATA_DIR: dataDir, ...env })[name],
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });
    return { code, text: out.join("\n") };
  };
  try {
    const names = Object.keys(migrations).sort();
    const up = await run(["up"]);
    assertEquals(up.code, 0, up.text);
    assertMatch(up.text, new RegExp(`Applied: ${names.join(", ")}`));

    const down = await run(["down"]);
    assertEquals(down.code, 0, down.text);
    assertMatch(down.text, new RegExp(`Undone: ${names.at(-1)}`));
    assert(down.text.includes(`${names.at(-1)}`) && down.text.endsWith("pending"), down.text);

    const usage = await run(["down", "--steps", "-1"]);
    assertEquals(usage.code, 2, usage.text);
    assertMatch(usage.text, /Usage: deno task migrate/);

    const unreachable = await run(["status"], { DATABASE_URL: "postgres://x@127.0.0.1:1/none" });
    assertEquals(unreachable.code, 1, unreachable.text);
    assertMatch(unreachable.text, /^Error: Cannot connect to PostgreSQL at "127\.0\.0\.1:1\/none"/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

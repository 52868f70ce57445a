/**
 * The walk of docs/upload_types.md ("Adding a type, step by step") on a fresh clone of this
 * repository's HEAD: a config file, `deno task migrate create-table`, `deno task migrate up`,
 * `deno task ingest`, each a real subprocess; then the rows are read from the database, and
 * `git status` shows the config file and the generated migration and nothing else.
 *
 * @module
 */
import { sql } from "kysely";
import { openDatabase } from "../db/open_database.ts";
import { assert, assertEquals, assertMatch, test } from "./assert.ts";
import { openPostgresTestDatabase } from "./db_harness.ts";

const ROOT = new URL("../", import.meta.url);

const CONFIG = `import { defineUploadType } from "../../core/config/define_upload_type.ts";

export default defineUploadType({
  name: "sites",
  label: "Sites",
  table: "sites",
  key: ["site_id"],
  columns: [
    { name: "site_id", type: "text", required: true, pattern: "^S[0-9]{4}$" },
    { name: "kind", type: "enum", values: ["office", "plant"] },
    { name: "opened", type: "date", min: "1950-01-01" },
    { name: "staff", type: "integer", min: 0 },
  ],
});
`;

const CSV = "site_id,kind,opened,staff\nS0001,office,2001-02-03,12\nS0002,Plant,,0\n";

async function run(cwd: string, cmd: string, args: string[], env: Record<string, string>) {
  const output = await new Deno.Command(cmd, { args, cwd, env, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  return { code: output.code, text };
}

async function must(cwd: string, cmd: string, args: string[], env: Record<string, string> = {}) {
  const result = await run(cwd, cmd, args, env);
  assertEquals(result.code, 0, `${cmd} ${args.join(" ")}:\n${result.text}`);
  return result.text;
}

/** Clones HEAD into a temp dir, walks the docs there against `env`'s database. */
async function walk(env: Record<string, string>, databaseUrl?: string): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "intake-add-type-" });
  try {
    const head = (await must(ROOT.pathname, "git", ["rev-parse", "HEAD"])).trim();
    const repo = `${tmp}/repo`;
    await must(tmp, "git", ["clone", "--quiet", "--no-checkout", ROOT.pathname, repo]);
    await must(repo, "git", ["checkout", "--quiet", head]);
    const deno = Deno.execPath();
    const dataDir = `${repo}/.data/`;
    const cli = { ...env, INTAKE_DATA_DIR: dataDir, NO_COLOR: "1" };

    await Deno.writeTextFile(`${repo}/config/upload_types/sites.ts`, CONFIG);
    const created = await must(repo, deno, ["task", "migrate", "create-table", "sites"], cli);
    const [migration] = created.match(/migrations\/\d{4}_sites\.ts/) ?? [];
    assert(migration, created);
    const up = await must(repo, deno, ["task", "migrate", "up"], cli);
    assertMatch(up, /Applied: .*\d{4}_sites/);

    await Deno.writeTextFile(`${tmp}/sites.csv`, CSV);
    const ingest = await must(repo, deno, ["task", "ingest", "sites", `${tmp}/sites.csv`], cli);
    assertMatch(ingest, /Status\s+committed/);

    const again = await run(repo, deno, ["task", "migrate", "create-table", "sites"], cli);
    assertEquals(again.code, 0, again.text);
    assertMatch(again.text, /already exists \(in the database, created by migrations\/\d{4}_sites/);

    const status = await must(repo, "git", ["status", "--porcelain", "--untracked-files=all"]);
    assertEquals(
      status.trim().split("\n").sort(),
      ["?? config/upload_types/sites.ts", `?? ${migration}`],
    );
    assertEquals(await must(repo, deno, ["fmt", "--check", "--quiet", migration]), "");
    assertEquals(
      (await must(repo, deno, ["lint", "--quiet", migration])).replace(/\s+$/, ""),
      "",
    );

    const db = await openDatabase(databaseUrl ? { url: databaseUrl, poolSize: 1 } : { dataDir });
    try {
      const { rows } = await sql<Record<string, unknown>>`
        select site_id, kind, opened::text as opened, staff::text as staff
        from sites order by site_id`.execute(db.kysely);
      assertEquals(rows, [
        { site_id: "S0001", kind: "office", opened: "2001-02-03", staff: "12" },
        { site_id: "S0002", kind: "plant", opened: null, staff: "0" },
      ]);
    } finally {
      await db.close();
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

test("[pglite] a type added by a config file and create-table imports on a fresh clone", async () => {
  await walk({});
});

const adminUrl = Deno.env.get("TEST_DATABASE_URL");
test({
  name: `[postgres] a type added by a config file and create-table imports on a fresh clone${
    adminUrl ? "" : " (TEST_DATABASE_URL unset)"
  }`,
  ignore: !adminUrl,
  async fn() {
    await using db = await openPostgresTestDatabase(adminUrl!);
    await walk({ DATABASE_URL: db.url! }, db.url);
  },
});

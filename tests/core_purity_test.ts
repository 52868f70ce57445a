/**
 * Keeps `core/` runtime-agnostic and database-free: no `Deno.*`, no `node:` imports, no `require(`
 * and no database library or `sql` template in its source, and neither `Deno.` nor a database in
 * the tests beside it (they use `test` from tests/assert.ts).
 */
import { assertEquals } from "./assert.ts";

const CORE = new URL("../core/", import.meta.url);

/** What may not appear, and where; comments are not exempt: keep the rule simple. */
const RULES: ReadonlyArray<{ pattern: RegExp; what: string; inTests: boolean }> = [
  { pattern: /\bDeno\./, what: "Deno.*", inTests: true },
  {
    pattern: /\bfrom\s+["']node:|\bimport\s*\(\s*["']node:|^\s*import\s+["']node:/,
    what: "node: import",
    inTests: false,
  },
  { pattern: /\brequire\s*\(/, what: "require(", inTests: false },
  // The store (`store/postgres/`) alone speaks SQL; core speaks its ports (`core/ports.ts`).
  {
    pattern: /\bfrom\s+["'](?:kysely|postgres|@electric-sql\/pglite)["'/]|\bsql`/,
    what: "database library or SQL",
    inTests: true,
  },
];

/** Lists `.ts`/`.tsx` files under `dir`, recursively, as paths relative to the repo root. */
async function sourceFiles(dir: URL, prefix = "core/"): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      files.push(...await sourceFiles(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`));
    } else if (entry.isFile && /\.tsx?$/.test(entry.name)) {
      files.push(`${prefix}${entry.name}`);
    }
  }
  return files.sort();
}

/** Returns `file:line: what` for every rule a file breaks. */
export function findViolations(path: string, text: string): string[] {
  const isTest = /_test\.tsx?$/.test(path);
  const found: string[] = [];
  text.split("\n").forEach((line, index) => {
    for (const rule of RULES) {
      if ((!isTest || rule.inTests) && rule.pattern.test(line)) {
        found.push(`${path}:${index + 1}: ${rule.what}: ${line.trim()}`);
      }
    }
  });
  return found;
}

Deno.test("core/ names neither Deno nor node: modules", async () => {
  const violations: string[] = [];
  for (const path of await sourceFiles(CORE)) {
    violations.push(
      ...findViolations(path, await Deno.readTextFile(new URL(`../${path}`, import.meta.url))),
    );
  }
  assertEquals(violations, [], `core/ must stay runtime-agnostic:\n${violations.join("\n")}`);
});

Deno.test("findViolations() reports file and line for each kind of violation", () => {
  const source = [
    'import { readFile } from "node:fs/promises";',
    "const env = Deno.env.get('X');",
    "const x = require('y');",
    "// plain line",
  ].join("\n");
  assertEquals(findViolations("core/a.ts", source), [
    'core/a.ts:1: node: import: import { readFile } from "node:fs/promises";',
    "core/a.ts:2: Deno.*: const env = Deno.env.get('X');",
    "core/a.ts:3: require(: const x = require('y');",
  ]);
  assertEquals(findViolations("core/a_test.ts", source), [
    "core/a_test.ts:2: Deno.*: const env = Deno.env.get('X');",
  ]);
});

Deno.test("findViolations() reports database libraries and SQL templates, in tests too", () => {
  const source = [
    'import { sql } from "kysely";',
    'import postgres from "postgres";',
    'import { PGlite } from "@electric-sql/pglite";',
    "await sql`select 1`.execute(db);",
    'import { parse } from "./csv/parser.ts"; // a select box',
  ].join("\n");
  assertEquals(findViolations("core/a_test.ts", source).map((v) => v.split(": ")[0]), [
    "core/a_test.ts:1",
    "core/a_test.ts:2",
    "core/a_test.ts:3",
    "core/a_test.ts:4",
  ]);
});

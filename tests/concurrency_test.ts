/**
 * Concurrency through real HTTP: bursts of commits and direct imports touching the same keys,
 * and commit racing discard. Users must only ever see success or a typed conflict (never a
 * deadlock or serialization error), and the table must equal some serial order of what
 * succeeded: a commit whose reviewed rows an earlier commit changed is refused as stale, never
 * allowed to overwrite them silently.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { appTest, type TestApp } from "./app_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const RUNS = 8;
// These tests are about commits taking turns, not admission: every upload at once gets a slot.
const ADMIT_ALL = { INTAKE_MAX_CONCURRENT_UPLOADS: String(RUNS) };

const id = (n: number) => `ABC-${String(n).padStart(6, "0")}`;

/** Run `i` renames keys 2i+1, 2i+2 and 2i+3 (so it shares one key with each neighbour) and adds a key of its own. */
function runKeys(i: number): { changed: number[]; added: number } {
  return { changed: [2 * i + 1, 2 * i + 2, 2 * i + 3], added: 1000 + i };
}

/** A key no run's target has at first, which direct imports all add (in the shared test). */
const SHARED = 999;

function runCsv(i: number, shared = false): string {
  const { changed, added } = runKeys(i);
  return "facility_id,name\n" +
    [...changed, added, ...(shared ? [SHARED] : [])].map((n) => `${id(n)},Run ${i}\n`).join("");
}

/** The seeded table: every key a run changes, named "Seed n". */
function seedCsv(): string {
  let csv = "facility_id,name\n";
  for (let n = 1; n <= 2 * RUNS + 1; n++) csv += `${id(n)},Seed ${n}\n`;
  return csv;
}

/** The export of a facilities table holding only ids and names. */
function exportOf(names: ReadonlyMap<number, string>): string {
  const keys = [...names.keys()].sort((a, b) => a - b);
  return ["facility_id,name,county,latitude,longitude,opened_on,active"]
    .concat(keys.map((n) => `${id(n)},${names.get(n)},,,,,`))
    .join("\r\n") + "\r\n";
}

/** The table after the seed and then `runs` applied one after the other. */
function applyInOrder(runs: readonly number[], shared = false): Map<number, string> {
  const names = new Map<number, string>();
  for (let n = 1; n <= 2 * RUNS + 1; n++) names.set(n, `Seed ${n}`);
  for (const i of runs) {
    const { changed, added } = runKeys(i);
    for (const n of [...changed, added, ...(shared ? [SHARED] : [])]) names.set(n, `Run ${i}`);
  }
  return names;
}

function overlap(a: number, b: number): boolean {
  return runKeys(a).changed.some((n) => runKeys(b).changed.includes(n));
}

async function exportText(app: TestApp): Promise<string> {
  const res = await app.fetch("/api/v1/upload-types/facilities/export.csv");
  assertEquals(res.status, 200);
  return await res.text();
}

async function seed(app: TestApp): Promise<void> {
  const res = await app.upload("facilities", seedCsv());
  assertEquals(res.status, 201, await res.text());
}

async function getRun(app: TestApp, runId: string): Promise<Json> {
  return await (await app.fetch(`/api/v1/runs/${runId}`)).json();
}

/** Indexes of `runs` in the order their commits finished. */
function byFinish(runs: readonly Json[], indexes: readonly number[]): number[] {
  return [...indexes].sort((a, b) =>
    Date.parse(runs[a].finishedAt) - Date.parse(runs[b].finishedAt)
  );
}

appTest(
  "8 staged runs with overlapping keys committed at once: stale ones refused",
  async (app) => {
    await seed(app);
    const staged = await Promise.all(
      Array.from({ length: RUNS }, async (_, i) => {
        const res = await app.upload("facilities", runCsv(i), { mode: "staged" });
        const run = await res.json();
        assertEquals(res.status, 201, JSON.stringify(run));
        assertEquals([run.status, run.counts.changed, run.counts.new], ["staged", 3, 1]);
        return run;
      }),
    );

    const answers = await Promise.all(
      staged.map(async (run) => {
        const res = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
        return { status: res.status, body: await res.json() };
      }),
    );
    const committed: number[] = [];
    const refused: number[] = [];
    answers.forEach(({ status, body }, i) => {
      if (status === 200) {
        assertEquals(body.status, "committed");
        committed.push(i);
      } else {
        assertEquals(status, 409, JSON.stringify(body));
        assertEquals(body.error.type, "stale_review", JSON.stringify(body));
        assert(body.error.details.rows.length > 0);
        refused.push(i);
      }
    });
    assert(committed.length > 0, "at least the first commit goes through");

    // Never a silent overwrite: no committed run touched a key another committed run changed, and
    // every refused run did collide with one.
    for (const a of committed) {
      for (const b of committed) assert(a === b || !overlap(a, b), `runs ${a} and ${b} both won`);
    }
    for (const r of refused) {
      assert(committed.some((c) => overlap(r, c)), `run ${r} was refused without a collision`);
      assertEquals((await getRun(app, staged[r].id)).status, "staged");
    }
    const runs = await Promise.all(staged.map((run) => getRun(app, run.id)));
    assertEquals(await exportText(app), exportOf(applyInOrder(byFinish(runs, committed))));
  },
  ADMIT_ALL,
);

appTest(
  "8 direct imports of overlapping keys at once all succeed in some serial order",
  async (app) => {
    await seed(app);
    const answers = await Promise.all(
      Array.from({ length: RUNS }, async (_, i) => {
        const res = await app.upload("facilities", runCsv(i, true));
        return { status: res.status, body: await res.json() };
      }),
    );
    for (const { status, body } of answers) {
      assertEquals(status, 201, JSON.stringify(body));
      assertEquals(body.status, "committed");
    }
    const runs = answers.map((a) => a.body);
    const order = byFinish(runs, runs.map((_, i) => i));
    assertEquals(await exportText(app), exportOf(applyInOrder(order, true)));
    // Counts say what each import did to the table as it found it: only the first adds the
    // shared key, the others change it.
    assertEquals(
      order.map((i) => [runs[i].counts.new, runs[i].counts.changed]),
      order.map((_, k) => k === 0 ? [2, 3] : [1, 4]),
    );
  },
  ADMIT_ALL,
);

appTest("commit racing discard: exactly one wins, and the table agrees", async (app) => {
  await seed(app);
  const applied: number[] = [];
  for (let round = 0; round < 4; round++) {
    const res = await app.upload("facilities", runCsv(round), { mode: "staged" });
    const run = await res.json();
    assertEquals(res.status, 201, JSON.stringify(run));
    const [commit, discard] = await Promise.all(
      ["commit", "discard"].map((action) =>
        app.fetch(`/api/v1/runs/${run.id}/${action}`, { method: "POST" })
      ),
    );
    const bodies = [await commit.json(), await discard.json()];
    assertEquals([commit.status, discard.status].sort(), [200, 409], JSON.stringify(bodies));
    const loser = commit.status === 409 ? bodies[0] : bodies[1];
    assertEquals(loser.error.type, "conflict");
    const final = await getRun(app, run.id);
    assertEquals(final.status, commit.status === 200 ? "committed" : "discarded");
    if (commit.status === 200) applied.push(round);
    assertEquals(await exportText(app), exportOf(applyInOrder(applied)));
  }
});

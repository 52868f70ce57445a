import { migrateDown } from "../db/migrate.ts";
import { migrations } from "../migrations/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { appTest, workerAppTest } from "./app_harness.ts";

appTest("GET /health answers while the process runs, database or not", async (app) => {
  const ok = await app.fetch("/health");
  assertEquals(ok.status, 200);
  const body = await ok.json();
  assertEquals(body.status, "ok");
  assertEquals(typeof body.uptimeSeconds, "number");

  await app.db.close();
  const stillAlive = await app.fetch("/health");
  assertEquals(stillAlive.status, 200);
  assertEquals((await stillAlive.json()).status, "ok");
});

appTest(
  "GET /health/ready reports every check, then 503 naming them once the database is gone",
  async (app) => {
    const ready = await app.fetch("/health/ready");
    assertEquals(ready.status, 200);
    assertEquals(ready.headers.get("cache-control"), "no-store");
    const body = await ready.json();
    assertEquals(body.status, "ok");
    assertEquals(body.failing, []);
    assertEquals(Object.keys(body.checks), ["database", "migrations", "worker", "upload_types"]);
    const { database, migrations: applied, worker } = body.checks;
    assertEquals([database.ok, database.status, database.kind], [true, "up", app.db.kind]);
    assertEquals(typeof database.latencyMs, "number");
    // The migrations check runs alongside, so in-use figures vary; the pool's size does not.
    assertEquals(Object.keys(database.pool), ["size", "inUse", "waiting"]);
    assertEquals(database.pool.size, app.db.poolStats().size);
    assert(database.pool.inUse >= 0 && database.pool.waiting >= 0);
    const expected = Object.keys(migrations).length;
    assertEquals(applied, {
      ok: true,
      status: "current",
      applied: expected,
      expected,
      pending: [],
    });
    assertEquals(worker, { ok: true, status: "not_configured" });

    await app.db.close();
    const down = await app.fetch("/health/ready");
    assertEquals(down.status, 503);
    const downBody = await down.json();
    assertEquals(downBody.status, "unavailable");
    assertEquals(downBody.failing, ["database", "migrations", "upload_types"]);
    assertEquals(downBody.checks.database.ok, false);
    assertEquals(downBody.checks.database.status, "error");
    assertEquals(typeof downBody.checks.database.error, "string");
    assertEquals(downBody.checks.worker.ok, true);
  },
);

appTest("GET /health/ready is 503 while a migration is pending", async (app) => {
  const [undone] = await migrateDown(app.db, 1);
  const res = await app.fetch("/health/ready");
  assertEquals(res.status, 503);
  const body = await res.json();
  assertEquals(body.failing, ["migrations"]);
  assertEquals(body.checks.migrations.status, "pending");
  assertEquals(body.checks.migrations.pending, [undone]);
  assertEquals(body.checks.database.ok, true);
});

workerAppTest(
  "GET /health/ready asks the job worker and runs checks others register",
  { concurrency: 2 },
  async (app) => {
    app.services.readinessChecks.push({
      name: "queue",
      run: () => Promise.resolve({ ok: true, status: "ok", depth: 0 }),
    });
    const ok = await (await app.fetch("/health/ready")).json();
    const instance = app.services.jobs!.instanceId;
    const running = { concurrency: 2, active: 0, leases: 0, instance };
    assertEquals(ok.checks.worker, { ...running, ok: true, status: "running" });
    assertEquals(ok.checks.queue, { ok: true, status: "ok", depth: 0 });

    await app.services.jobs!.stop(0);
    const res = await app.fetch("/health/ready");
    assertEquals(res.status, 503);
    const body = await res.json();
    assertEquals(body.failing, ["worker"]);
    assertEquals(body.checks.worker, { ...running, ok: false, status: "stopped" });
  },
);

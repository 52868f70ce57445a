import { assertEquals } from "../assert.ts";
import { describeMigratedDatabases } from "../db_harness.ts";
import { PostgresStore } from "../../store/postgres/postgres_store.ts";

describeMigratedDatabases(
  "a late progress report leaves a settled run's figures alone",
  async (db) => {
    const store = new PostgresStore(db);
    const run = await store.createRun({
      id: crypto.randomUUID(),
      uploadType: "facilities",
      mode: "staged",
      fileName: "f.csv",
      contentType: "text/csv",
      actor: null,
      traceId: null,
    });
    await store.reportProgress(run.id, { bytes: 10, rows: 1 });
    assertEquals((await store.getRun(run.id))!.progress, { bytes: 10, rows: 1 });
    await store.updateRun(run.id, ["receiving"], {
      status: "failed",
      error: { type: "cancelled", message: "gone", details: {} },
      progress: { bytes: 20, rows: 2 },
      finishedAt: true,
    });
    await store.reportProgress(run.id, { bytes: 15, rows: 1 });
    assertEquals((await store.getRun(run.id))!.progress, { bytes: 20, rows: 2 });
  },
);

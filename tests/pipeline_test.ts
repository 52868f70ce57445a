import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { recordSpans } from "./recorded_spans.ts";
import { sql } from "kysely";
import { assert, assertEquals } from "./assert.ts";
import { describeMigratedDatabases } from "./db_harness.ts";
import { startIngest } from "../core/pipeline.ts";
import { commitRun } from "../core/stages/commit.ts";
import { PostgresStore } from "../store/postgres/postgres_store.ts";
import { loadUploadTypes } from "../host/deno/load_upload_types.ts";
import { FACILITIES, FACILITIES_CHANGES } from "./api/fixtures.ts";
import { runCounts } from "./run_counts.ts";
import type { UploadSource } from "../core/ports.ts";
import { streamSource } from "../core/upload_source.ts";

const types = await loadUploadTypes(new URL("../config/upload_types/", import.meta.url));
const facilities = types.get("facilities");

const exporter = recordSpans();

function body(text: string): UploadSource {
  return streamSource(new Blob([text]).stream());
}

describeMigratedDatabases("startIngest() stages, classifies and commits a file", async (db) => {
  const store = new PostgresStore(db);
  const first = await (await startIngest(store, {
    type: facilities,
    mode: "direct",
    source: body(FACILITIES),
  })).done;
  assertEquals(first.status, "committed", JSON.stringify(first.error));
  assertEquals(first.counts.new, 3);

  const second = await (await startIngest(store, {
    type: facilities,
    mode: "staged",
    source: body(FACILITIES_CHANGES),
  })).done;
  assertEquals(second.status, "staged", JSON.stringify(second.error));
  assertEquals(second.counts, runCounts({ rows: 5, new: 1, changed: 1, unchanged: 1, invalid: 2 }));
  assertEquals(second.columns, [
    "facility_id",
    "name",
    "county",
    "latitude",
    "longitude",
    "opened_on",
    "active",
  ]);
  const committed = await commitRun(store, facilities, second.id, []);
  assertEquals(committed.status, "committed");
  const names = await sql<{ name: string }>`select name from facilities order by facility_id`
    .execute(db.kysely);
  assertEquals(names.rows.map((r) => r.name), [
    "North Plant",
    "South Plant II",
    "East Works",
    "West Depot",
  ]);
});

describeMigratedDatabases(
  "startIngest() traces one run span with a child per stage",
  async (db) => {
    exporter.reset();
    const store = new PostgresStore(db);
    const run = await (await startIngest(store, {
      type: facilities,
      mode: "direct",
      source: body(FACILITIES),
    })).done;
    assertEquals(run.status, "committed");
    const spans = exporter.getFinishedSpans().filter((s) =>
      s.attributes["ingest.run_id"] === run.id
    );
    const root = spans.find((s) => s.name === "ingest.run")!;
    assert(root, "ingest.run span exported");
    assertEquals(run.traceId, root.spanContext().traceId);
    const children = spans.filter((s) => parentOf(s) === root.spanContext().spanId);
    assertEquals(children.map((s) => s.name).sort(), [
      "ingest.commit",
      "ingest.decode",
      "ingest.map_headers",
      "ingest.parse",
      "ingest.receive",
      "ingest.stage",
      "ingest.validate",
    ]);
    const byName = Object.fromEntries(children.map((s) => [s.name, s]));
    assertEquals(byName["ingest.receive"].attributes["ingest.bytes"], FACILITIES.length);
    assertEquals(byName["ingest.validate"].attributes["ingest.rows"], 3);
    assertEquals(byName["ingest.stage"].attributes["ingest.new_rows"], 3);
    for (const span of [root, ...children]) {
      assertEquals(span.attributes["ingest.upload_type"], "facilities");
      assertEquals(span.attributes["ingest.mode"], "direct");
      assertEquals(span.status.code, 0, `${span.name} has no error status`);
    }
    assertEquals(root.attributes["ingest.rows"], 3);
  },
);

describeMigratedDatabases("a failing stage records the exception and ERROR status", async (db) => {
  exporter.reset();
  const store = new PostgresStore(db);
  const run = await (await startIngest(store, {
    type: facilities,
    mode: "direct",
    source: body("name,county\nx,y\n"),
  })).done;
  assertEquals(run.status, "failed");
  assertEquals(run.error?.type, "header_error");
  assertEquals(run.error?.details.missing, ["facility_id"]);
  const spans = exporter.getFinishedSpans().filter((s) => s.attributes["ingest.run_id"] === run.id);
  const failed = spans.find((s) => s.name === "ingest.map_headers")!;
  assertEquals(failed.status.code, 2);
  assertEquals(failed.events[0].name, "exception");
  assertEquals(spans.find((s) => s.name === "ingest.run")!.status.code, 2);
  const receive = spans.find((s) => s.name === "ingest.receive")!;
  assertEquals(receive.status.code, 0);
});

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/**
 * Every migration, in order. Listed statically (not read from the directory) so the migrator
 * needs no file-system access and works in a compiled binary.
 *
 * @module
 */
import type { Migration } from "kysely/migration";
import * as m0001 from "./0001_ingest_runs.ts";
import * as m0002 from "./0002_demo_types.ts";
import * as m0006 from "./0006_saved_mappings.ts";
import * as m0007 from "./0007_job_queue.ts";
import * as m0008 from "./0008_typed_staging.ts";
import * as m0009 from "./0009_run_undo.ts";
import * as m0010 from "./0010_row_edits.ts";
import * as m0011 from "./0011_insert_marks.ts";
import * as m0012 from "./0012_committed_rows.ts";
import * as m0013 from "./0013_commit_started_at.ts";
import * as m0014 from "./0014_mapping_provenance.ts";
import * as m0015 from "./0015_bound_run_errors.ts";

/** Migrations by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  "0001_ingest_runs": m0001,
  "0002_demo_types": m0002,
  "0006_saved_mappings": m0006,
  "0007_job_queue": m0007,
  "0008_typed_staging": m0008,
  "0009_run_undo": m0009,
  "0010_row_edits": m0010,
  "0011_insert_marks": m0011,
  "0012_committed_rows": m0012,
  "0013_commit_started_at": m0013,
  "0014_mapping_provenance": m0014,
  "0015_bound_run_errors": m0015,
};

/**
 * A run record for formatting tests.
 *
 * @module
 */
import type { Run } from "../../core/runs/run.ts";

/** A run as the store returns it. */
export function sampleRun(patch: Partial<Run> = {}): Run {
  return {
    id: "6f1c1b7e-0000-4000-8000-000000000001",
    uploadType: "facilities",
    mode: "staged",
    status: "staged",
    fileName: "facilities_changes.csv",
    contentType: "text/csv",
    fileBytes: 975,
    sha256: null,
    fileComplete: true,
    headers: [],
    columns: [],
    ignoredColumns: [],
    mapping: null,
    suggestions: [],
    counts: { rows: 14, new: 3, changed: 3, unchanged: 4, invalid: 4, deleted: 0, excluded: 0 },
    progress: { bytes: 975, rows: 14 },
    error: null,
    actor: null,
    traceId: null,
    createdAt: "2024-05-06T07:08:09.000Z",
    startedAt: "2024-05-06T07:08:09.000Z",
    stagedAt: "2024-05-06T07:08:10.500Z",
    commitStartedAt: null,
    finishedAt: null,
    revertedAt: null,
    revertedBy: null,
    rowsPurgedAt: null,
    ...patch,
  };
}

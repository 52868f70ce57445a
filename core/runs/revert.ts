/**
 * What an admin does with a committed run (staged or direct): revert it, the target table as
 * before the commit. A reverted run never changes again.
 *
 * @module
 */
import { type Context, context } from "@opentelemetry/api";
import type { ResolvedUploadType } from "../config/upload_type_schema.ts";
import type { Run } from "./run.ts";
import { requireRun } from "./require_run.ts";
import type { Store } from "../ports.ts";
import { runSpanAttributes, withSpan } from "../telemetry.ts";

/**
 * Reverts a committed run (staged or direct): `committed → reverted`, the target table as before
 * the commit, in one transaction under the table's commit lock. `conflict` when the run is not
 * committed (or was committed before undo logs were kept), `revert_conflict` when rows it wrote
 * changed since; the target is untouched then.
 */
export async function revertRun(
  store: Store,
  type: ResolvedUploadType,
  runId: string,
  actor: string | null,
  parent: Context = context.active(),
): Promise<Run> {
  const run = await requireRun(store, runId);
  return await withSpan(
    "ingest.revert",
    runSpanAttributes(type.name, run),
    parent,
    async (span) => {
      const { run: reverted, counts } = await store.revert(runId, type, actor);
      span.setAttributes({
        "ingest.deleted_rows": counts.deleted,
        "ingest.restored_rows": counts.restored,
        "ingest.reinserted_rows": counts.reinserted,
      });
      return reverted;
    },
  );
}

/**
 * Looking a run up by id where it must exist: a run id from a URL or a command line.
 *
 * @module
 */
import { IngestError } from "../errors.ts";
import type { Run } from "./run.ts";
import type { RunLog } from "../ports.ts";

/** Returns the run or throws `not_found`. */
export async function requireRun(store: Pick<RunLog, "getRun">, id: string): Promise<Run> {
  const run = await store.getRun(id);
  if (!run) throw new IngestError("not_found", `No run with id "${id}"`, { runId: id });
  return run;
}

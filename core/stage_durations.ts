/**
 * How long each stage of a run took, for whoever runs core to turn into metrics (the server's
 * `intake_stage_duration_seconds`). Like the tracer, it is process-wide: core reports, listeners
 * that the host installed receive, and with none installed reporting costs nothing.
 *
 * This module is browser compatible.
 *
 * @module
 */
import type { StageName } from "./telemetry.ts";

/** Receives one stage's wall time in seconds (failed stages included). */
export type StageListener = (stage: StageName, seconds: number) => void;

const listeners = new Set<StageListener>();

/**
 * Calls `listener` each time a stage of any run ends; returns the function that stops it.
 *
 * @example
 * ```ts
 * import { onStageEnd, reportStageEnd } from "./stage_durations.ts";
 * const seen: string[] = [];
 * const stop = onStageEnd((stage) => seen.push(stage));
 * reportStageEnd("parse", 0.5);
 * stop();
 * if (seen[0] !== "parse") throw new Error("expected the parse stage");
 * ```
 */
export function onStageEnd(listener: StageListener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Tells every listener that `stage` took `seconds`; a failing listener never fails the run. */
export function reportStageEnd(stage: StageName, seconds: number): void {
  for (const listener of listeners) {
    try {
      listener(stage, seconds);
    } catch {
      // Metrics are a side channel: losing one sample beats failing an import.
    }
  }
}

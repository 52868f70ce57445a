/**
 * A run's counts as a test expects them, naming only those that are not zero.
 *
 * @module
 */
import { emptyCounts, type RunCounts } from "../core/runs/run.ts";

/**
 * Every count of a run, those not given at 0.
 *
 * @example
 * ```ts
 * import { runCounts } from "./run_counts.ts";
 * const counts = runCounts({ rows: 3, new: 3 });
 * if (counts.invalid !== 0 || counts.new !== 3) throw new Error("unexpected");
 * ```
 */
export function runCounts(nonZero: Partial<RunCounts>): RunCounts {
  return { ...emptyCounts(), ...nonZero };
}

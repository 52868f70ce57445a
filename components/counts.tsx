import type { RunCounts } from "../core/runs/run.ts";
import { formatNumber } from "./format.ts";

const ORDER: Array<[keyof RunCounts, string]> = [
  ["rows", "Rows"],
  ["new", "New"],
  ["changed", "Changed"],
  ["unchanged", "Unchanged"],
  ["invalid", "Invalid"],
  ["deleted", "Deleted"],
  ["excluded", "Excluded"],
];

// Shown only when a run has any.
const OPTIONAL = new Set<keyof RunCounts>(["deleted", "excluded"]);

/** A run's counts as a row of labelled figures. */
export function Counts({ counts }: { counts: RunCounts }) {
  return (
    <dl class="counts">
      {ORDER.filter(([key]) => !OPTIONAL.has(key) || counts[key] > 0).map(([key, label]) => (
        <div key={key} class={`count count-${key}`}>
          <dt>{label}</dt>
          <dd>{formatNumber(counts[key])}</dd>
        </div>
      ))}
    </dl>
  );
}

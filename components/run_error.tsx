import type { RunError } from "../core/runs/run.ts";

const TITLES: Record<string, string> = {
  header_error: "The header row does not match this upload type",
  mapping_required: "A saved column mapping applies: confirm it to import",
  validation_error: "Some rows are invalid, so nothing was imported",
  parse_error: "The file could not be read as CSV",
  encoding_error: "The file is not valid text in the expected encoding",
  file_too_large: "The file is too large",
  too_many_rows: "The file has too many rows",
  limit_exceeded: "The file is over a limit this server sets for one upload",
  nothing_to_commit: "There is nothing to commit",
  server_busy: "The server is busy: try again shortly",
  type_not_ready: "This upload type's table is not ready",
  unsupported_file_type: "This kind of file cannot be imported",
  bad_request: "The upload was not accepted",
  stale_review: "The data changed since this run was staged",
  revert_conflict: "Rows changed since this run, so nothing was reverted",
  conflict: "Not possible in the run's current state",
  constraint_violation: "The database refused the data",
  database_unavailable: "The database is unavailable",
  forbidden: "Your role does not allow this",
  rate_limited: "Too many uploads for now",
  csrf_rejected: "The form did not come from this site",
};

const LISTS: Array<[string, string]> = [
  ["missing", "Missing required columns"],
  ["duplicate", "Duplicate columns"],
  ["unexpected", "Columns that were ignored"],
  ["expected", "Columns this type accepts"],
];

/** A run's error in plain words, with details such as missing columns shown as lists. */
export function RunErrorPanel({ error }: { error: RunError }) {
  return (
    <section class="panel error-panel" role="alert">
      <h2>{TITLES[error.type] ?? "The run failed"}</h2>
      <p>{error.message}</p>
      {LISTS.map(([key, label]) => {
        const items = error.details[key];
        if (!Array.isArray(items) || items.length === 0) return null;
        return (
          <div key={key}>
            <h3>{label}</h3>
            <ul class="chips">
              {items.map((item) => (
                <li key={String(item)}>
                  <code>{String(item)}</code>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
      {error.type === "revert_conflict" && Array.isArray(error.details.keys) && (
        <div>
          <h3>Rows that changed (keys, a sample)</h3>
          <ul class="chips">
            {error.details.keys.map((key) => {
              const text = Object.values(key as Record<string, unknown>).join(" / ");
              return (
                <li key={text}>
                  <code>{text}</code>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {typeof error.details.line === "number" && <p class="muted">Line {error.details.line}</p>}
      <p class="muted small">
        Error type: <code>{error.type}</code>
      </p>
    </section>
  );
}

import type { MappingSource, RunMapping } from "../core/saved_mapping.ts";

const HOW: Record<MappingSource, string> = {
  exact: "by name",
  alias: "by label or alias",
  explicit: "chosen with the upload",
  saved: "saved mapping, confirmed",
  none: "no column matches",
};

/**
 * The column mapping a run used: each file column, the column it was imported as (or ignored)
 * and why; a saved mapping the upload confirmed is named.
 */
export function MappingUsed({ mapping }: { mapping: RunMapping }) {
  const { saved } = mapping;
  return (
    <section class="mapping-used" aria-labelledby="mapping-used-title">
      <h2 id="mapping-used-title">Column mapping</h2>
      {saved && (
        <p>
          Saved mapping #{saved.id} ({saved.shared ? "shared" : "the uploader's own"}
          {saved.savedBy ? `, saved by ${saved.savedBy}` : ""}), confirmed with the upload.
        </p>
      )}
      <ul class="mapping-list">
        {mapping.columns.map((c, i) => (
          <li key={i} class={`mapping-${c.source}`}>
            <strong>{c.header}</strong> → {c.column ? <code>{c.column}</code> : "ignored"}{" "}
            <span class="muted">({HOW[c.source]})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** True when a person (not the names alone) decided where some column went. */
export function isChosenMapping(mapping: RunMapping | null): mapping is RunMapping {
  return mapping !== null &&
    mapping.columns.some((c) => c.source === "explicit" || c.source === "saved");
}

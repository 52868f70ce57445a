import { useState } from "preact/hooks";
import { headerKey } from "../core/config/header_key.ts";

/** What the mapper needs to know about a config column. */
export interface MapperColumn {
  name: string;
  label: string;
  required: boolean;
  aliases: readonly string[];
  values?: readonly string[];
  pattern?: string;
}

/** The first rows of a file: its header and a few records. */
export interface FilePreview {
  header: string[];
  rows: string[][];
}

/** File header → config column name, or null to leave that file column out. */
export type Choice = Record<string, string | null>;

/**
 * Suggests a column for each file header: by name, label or alias first, then by a name that
 * contains one of them (or the other way round), then by the sampled values fitting a column's
 * allowed values or pattern. A column is suggested once at most.
 */
export function suggest(columns: MapperColumn[], preview: FilePreview): Choice {
  const taken = new Set<string>();
  const choice: Choice = {};
  const keysOf = (c: MapperColumn) =>
    [c.name, c.label, ...c.aliases].map(headerKey).filter((k) => k.length > 0);
  const samples = (i: number) => preview.rows.map((r) => (r[i] ?? "").trim()).filter(Boolean);
  const rules: Array<(h: string, i: number, c: MapperColumn) => boolean> = [
    (h, _i, c) => keysOf(c).includes(headerKey(h)),
    (h, _i, c) => {
      const key = headerKey(h);
      return key.length >= 3 &&
        keysOf(c).some((k) => k.length >= 3 && (key.includes(k) || k.includes(key)));
    },
    (_h, i, c) => {
      const values = samples(i);
      if (values.length === 0) return false;
      if (c.values) {
        const allowed = new Set(c.values.map((v) => v.toLowerCase()));
        return values.every((v) => allowed.has(v.toLowerCase()));
      }
      if (c.pattern) {
        const re = new RegExp(c.pattern);
        return values.every((v) => re.test(v));
      }
      return false;
    },
  ];
  for (const rule of rules) {
    preview.header.forEach((h, i) => {
      if (h in choice) return;
      const column = columns.find((c) => !taken.has(c.name) && rule(h, i, c));
      if (column) {
        choice[h] = column.name;
        taken.add(column.name);
      }
    });
  }
  for (const h of preview.header) if (!(h in choice)) choice[h] = null;
  return choice;
}

/** Required columns no file column is mapped to. */
export function missingColumns(columns: MapperColumn[], choice: Choice): MapperColumn[] {
  const chosen = new Set(Object.values(choice));
  return columns.filter((c) => c.required && !chosen.has(c.name));
}

/**
 * The mapping step: each file column with example values and the column it imports into, the
 * required columns still unmapped, and a preview of the first rows as they would be imported.
 */
export function ColumnMapper(
  { columns, preview, initial, saved, fileName, onConfirm, onCancel }: {
    columns: MapperColumn[];
    preview: FilePreview;
    initial: Choice;
    /** The saved mapping `initial` starts from, to say so. */
    saved?: { shared: boolean; savedBy: string | null };
    fileName: string;
    onConfirm: (choice: Choice) => void;
    onCancel: () => void;
  },
) {
  const [choice, setChoice] = useState(initial);
  const missing = missingColumns(columns, choice);
  const used = columns.filter((c) => Object.values(choice).includes(c.name));
  const indexOf = (name: string) => preview.header.findIndex((h) => choice[h] === name);
  return (
    <section class="mapper" aria-labelledby="mapper-title">
      <h2 id="mapper-title">Match the columns of {fileName}</h2>
      {saved
        ? (
          <p class="mapper-saved" role="status">
            {saved.shared ? "A shared column mapping" : "Your own column mapping"}, saved
            {saved.savedBy ? ` by ${saved.savedBy}` : ""}{" "}
            for these headers, is filled in below. Check it before you confirm: it is used only if
            you do.
          </p>
        )
        : (
          <p class="muted">
            Some headers do not match. Choose where each column of the file goes; once the run is
            committed, Intake suggests this for the next file with the same headers.
          </p>
        )}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Column in the file</th>
              <th scope="col">Examples</th>
              <th scope="col">Import as</th>
            </tr>
          </thead>
          <tbody>
            {preview.header.map((h, i) => (
              <tr key={h}>
                <td>
                  <strong>{h}</strong>
                </td>
                <td class="muted small">
                  {preview.rows.slice(0, 3).map((r) => r[i]).filter(Boolean).join(", ") || "—"}
                </td>
                <td>
                  <select
                    aria-label={`Import "${h}" as`}
                    value={choice[h] ?? ""}
                    onChange={(e) => {
                      const value = (e.currentTarget as HTMLSelectElement).value || null;
                      setChoice({ ...choice, [h]: value });
                    }}
                  >
                    <option value="">— leave out —</option>
                    {columns.map((c) => (
                      <option key={c.name} value={c.name}>
                        {c.label}
                        {c.required ? " (required)" : ""}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {missing.length > 0 && (
        <p class="form-error" role="alert">
          Still missing: {missing.map((c) => c.label).join(", ")}
        </p>
      )}
      <h3>How the first rows will be imported</h3>
      <div class="table-wrap">
        <table class="preview">
          <thead>
            <tr>{used.map((c) => <th key={c.name} scope="col">{c.label}</th>)}</tr>
          </thead>
          <tbody>
            {preview.rows.slice(0, 5).map((row, r) => (
              <tr key={r}>{used.map((c) => <td key={c.name}>{row[indexOf(c.name)] ?? ""}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="actions">
        <button type="button" disabled={missing.length > 0} onClick={() => onConfirm(choice)}>
          Import with these columns
        </button>
        <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
      </p>
    </section>
  );
}

import { useMemo, useState } from "preact/hooks";
import { CellFailure, compileCellRule } from "../core/config/cell_rules.ts";
import { headerKey } from "../core/config/header_key.ts";
import type { ResolvedColumn } from "../core/config/upload_type_schema.ts";
import { formatValue } from "./format.ts";

/**
 * What the mapper needs to know about a config column: the resolved column itself (plain data),
 * so the preview can run the column's own cell rule in the browser.
 */
export type MapperColumn = ResolvedColumn;

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
export function suggest(columns: readonly MapperColumn[], preview: FilePreview): Choice {
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
export function missingColumns(columns: readonly MapperColumn[], choice: Choice): MapperColumn[] {
  const chosen = new Set(Object.values(choice));
  return columns.filter((c) => c.required && !chosen.has(c.name));
}

/** The columns two or more file columns are mapped to, each with those file headers. */
export function sharedTargets(
  columns: readonly MapperColumn[],
  choice: Choice,
): Array<{ column: MapperColumn; headers: string[] }> {
  return columns.map((column) => ({
    column,
    headers: Object.keys(choice).filter((h) => choice[h] === column.name),
  })).filter((t) => t.headers.length > 1);
}

/** What keeps a choice from being used, in words: missing required and doubly mapped columns. */
export function choiceProblems(columns: readonly MapperColumn[], choice: Choice): string[] {
  const problems: string[] = [];
  const missing = missingColumns(columns, choice);
  if (missing.length) problems.push(`Still missing: ${missing.map((c) => c.label).join(", ")}`);
  for (const { column, headers } of sharedTargets(columns, choice)) {
    const names = headers.map((h) => `"${h}"`);
    problems.push(
      `${names.slice(0, -1).join(", ")} and ${names.at(-1)} ${
        names.length === 2 ? "both" : "all"
      } go to ${column.label}: ` +
        "one column of the file per column",
    );
  }
  return problems;
}

/** Whether a header matches a column by its name, label or an alias. */
export function matchesByName(columns: readonly MapperColumn[], header: string): boolean {
  const key = headerKey(header);
  return key !== "" &&
    columns.some((c) => [c.name, c.label, ...c.aliases].some((k) => headerKey(k) === key));
}

/** A preview cell: the value as it will be stored, or why it will be refused. */
type PreviewCell = { value: string } | { raw: string; error: string };

/** The first rows' cells under each used column, read by the column's own cell rule. */
function previewCells(
  used: readonly MapperColumn[],
  rows: string[][],
  indexOf: (name: string) => number,
): PreviewCell[][] {
  const rules = used.map((column) => compileCellRule(column));
  return rows.map((row) =>
    used.map((c, i) => {
      const raw = row[indexOf(c.name)] ?? "";
      const value = rules[i](raw);
      return value instanceof CellFailure
        ? { raw, error: value.message }
        : { value: formatValue(value) };
    })
  );
}

/**
 * The mapping step: each file column with example values and the column it imports into (an
 * unknown header says so), the required columns still unmapped, two file columns sent to one
 * column refused, and the first rows as they will be stored: each value read by its column's own
 * cell rule, a value the rule refuses shown with why.
 */
export function ColumnMapper(
  { columns, preview, initial, saved, fileName, onConfirm, onCancel }: {
    columns: readonly MapperColumn[];
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
  const problems = choiceProblems(columns, choice);
  const used = columns.filter((c) => Object.values(choice).includes(c.name));
  const indexOf = (name: string) => preview.header.findIndex((h) => choice[h] === name);
  const rows = preview.rows.slice(0, 5);
  const cells = useMemo(() => previewCells(used, rows, indexOf), [choice, preview]);
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
                  {!matchesByName(columns, h) && <div class="muted small">unknown header</div>}
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
      {problems.length > 0 && (
        <div class="form-error" role="alert">
          {problems.map((p) => <p key={p}>{p}</p>)}
        </div>
      )}
      <h3>How the first rows will be stored</h3>
      <div class="table-wrap">
        <table class="preview">
          <thead>
            <tr>
              {used.map((c) => <th key={c.name} scope="col" title={c.name}>{c.label}</th>)}
            </tr>
          </thead>
          <tbody>
            {cells.map((row, r) => (
              <tr key={r}>
                {row.map((cell, i) =>
                  "error" in cell
                    ? (
                      <td key={used[i].name} class="cell-invalid">
                        {cell.raw}
                        <div class="cell-error">{cell.error}</div>
                      </td>
                    )
                    : <td key={used[i].name}>{cell.value}</td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="actions">
        <button type="button" disabled={problems.length > 0} onClick={() => onConfirm(choice)}>
          Import with these columns
        </button>
        <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
      </p>
    </section>
  );
}

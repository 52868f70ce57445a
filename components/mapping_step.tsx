import type { ResolvedColumn } from "../core/config/upload_type_schema.ts";
import { type Choice, matchesByName } from "./column_mapper.tsx";
import { CsrfField } from "./csrf_field.tsx";

/**
 * The upload page's mapping step without JavaScript: a plain form (`intent=columns`) with a
 * `header` field and a `column` select per file column, in file order, that the page checks and
 * turns into the mapping the next upload of the file sends. `problems` are the reasons the last
 * choice was refused (missing required columns, two file columns for one column).
 */
export function MappingStep(
  { columns, headers, choice, problems, fileName, csrfToken }: {
    columns: readonly ResolvedColumn[];
    headers: readonly string[];
    choice: Choice;
    problems: readonly string[];
    fileName: string | null;
    csrfToken: string | null;
  },
) {
  return (
    <form method="post" class="panel mapper" aria-labelledby="mapping-step-title">
      <CsrfField token={csrfToken} />
      <h2 id="mapping-step-title">Match the columns of {fileName ?? "the file"}</h2>
      <p class="muted">
        Its headers do not all match, so nothing was imported. Choose where each column of the file
        goes, then choose the file again: it is sent with these columns.
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Column in the file</th>
              <th scope="col">Import as</th>
            </tr>
          </thead>
          <tbody>
            {headers.map((h, i) => (
              <tr key={i}>
                <td>
                  <strong>{h}</strong>
                  {!matchesByName(columns, h) && <div class="muted small">unknown header</div>}
                  <input type="hidden" name="header" value={h} />
                </td>
                <td>
                  <select name="column" aria-label={`Import "${h}" as`}>
                    <option value="" selected={!choice[h]}>— leave out —</option>
                    {columns.map((c) => (
                      <option key={c.name} value={c.name} selected={choice[h] === c.name}>
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
      {fileName && <input type="hidden" name="fileName" value={fileName} />}
      <p class="actions">
        <button type="submit" name="intent" value="columns">Use these columns</button>
      </p>
    </form>
  );
}

/** The columns a confirmed choice sends, in words, above the form that sends them. */
export function ChosenColumns(
  { columns, choice }: { columns: readonly ResolvedColumn[]; choice: Choice },
) {
  const label = (name: string) => columns.find((c) => c.name === name)?.label ?? name;
  const left = Object.keys(choice).filter((h) => choice[h] === null);
  return (
    <section class="panel mapper" aria-labelledby="chosen-title">
      <h2 id="chosen-title">Columns chosen</h2>
      <ul class="mapping-list">
        {Object.entries(choice).filter(([, c]) => c !== null).map(([h, c]) => (
          <li key={h}>
            {h} → {label(c!)}
          </li>
        ))}
      </ul>
      {left.length > 0 && <p class="muted">Left out: {left.join(", ")}</p>}
      <p class="mapper-saved">
        Choose the file again and upload it: the form below sends these columns with it.
      </p>
    </section>
  );
}

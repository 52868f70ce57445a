import type { Handlers, PageProps } from "$fresh/server.ts";
import type { ResolvedUploadType } from "../../core/config/upload_type_schema.ts";
import { toIngestError } from "../../core/errors.ts";
import type { RunError } from "../../core/runs.ts";
import { RunErrorPanel } from "../../components/run_error.tsx";
import { acceptUpload } from "../../server/accept_upload.ts";
import { STATUS_OF } from "../../server/http_errors.ts";
import type { AppState } from "../../server/services.ts";

interface UploadPage {
  type: ResolvedUploadType;
  error?: RunError;
}

/** The upload form; a plain multipart POST works without JavaScript (303 to the run page). */
export const handler: Handlers<UploadPage, AppState> = {
  GET(_req, ctx) {
    return ctx.render({ type: ctx.state.services.uploadTypes.get(ctx.params.type) });
  },
  async POST(req, ctx) {
    const { services } = ctx.state;
    const type = services.uploadTypes.get(ctx.params.type);
    try {
      const { run } = await acceptUpload(services, req, type.name);
      return new Response(null, { status: 303, headers: { location: `/runs/${run.id}` } });
    } catch (err) {
      const error = toIngestError(err).toJSON();
      return ctx.render({ type, error }, { status: STATUS_OF[error.type] });
    }
  },
};

/** `/upload/[type]`: choose a file and a mode, see the expected columns. */
export default function Upload({ data: { type, error } }: PageProps<UploadPage>) {
  return (
    <>
      <p class="breadcrumb">
        <a href="/">Upload types</a> / {type.label}
      </p>
      <h1>Upload {type.label.toLowerCase()}</h1>
      <p>{type.description}</p>
      {error && <RunErrorPanel error={error} />}
      <form class="panel upload-form" method="post" enctype="multipart/form-data">
        <fieldset>
          <legend>What should happen</legend>
          <label>
            <input type="radio" name="mode" value="staged" checked /> Stage for review first
          </label>
          <label>
            <input type="radio" name="mode" value="direct" /> Import directly
          </label>
        </fieldset>
        <label class="file-field">
          <span>CSV or TSV file (up to {formatBytes(type.maxFileBytes)})</span>
          <input type="file" name="file" accept=".csv,.tsv,.txt,text/csv" required />
        </label>
        <p class="actions">
          <button type="submit">Upload</button>
          <a href={`/api/v1/upload-types/${type.name}/template.csv`}>Download the template</a>
        </p>
      </form>
      <h2>Expected columns</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Type</th>
              <th scope="col">Rules</th>
              <th scope="col">Also accepted as</th>
            </tr>
          </thead>
          <tbody>
            {type.columns.map((c) => (
              <tr key={c.name}>
                <td>
                  <code>{c.name}</code>
                  {c.required && <span class="badge badge-required">required</span>}
                  {type.key.includes(c.name) && <span class="badge badge-key">key</span>}
                </td>
                <td>{c.type}</td>
                <td>{rules(c)}</td>
                <td>{[c.label, ...c.aliases].filter((a) => a !== c.name).join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function rules(c: ResolvedUploadType["columns"][number]): string {
  const parts: string[] = [];
  if (c.values) parts.push(`one of ${c.values.join(", ")}`);
  if (c.min !== undefined) parts.push(`at least ${c.min}`);
  if (c.max !== undefined) parts.push(`at most ${c.max}`);
  if (c.maxLength !== undefined) parts.push(`up to ${c.maxLength} characters`);
  if (c.pattern !== undefined) parts.push(`matches ${c.pattern}`);
  if (c.type === "date") parts.push("YYYY-MM-DD");
  if (c.type === "boolean") parts.push("true/false, yes/no, 1/0");
  return parts.join("; ") || "—";
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${bytes} bytes`;
}

import type { Handlers, PageProps } from "$fresh/server.ts";
import { numberExample } from "../../core/config/number_formats.ts";
import type { ResolvedUploadType } from "../../core/config/upload_type_schema.ts";
import { IngestError, toIngestError } from "../../core/errors.ts";
import type { RunError } from "../../core/runs/run.ts";
import { RunErrorPanel } from "../../components/run_error.tsx";
import { type Choice, choiceProblems, suggest } from "../../components/column_mapper.tsx";
import { ChosenColumns, MappingStep } from "../../components/mapping_step.tsx";
import { headerKey } from "../../core/config/header_key.ts";
import { checkMapping } from "../../core/stages/map_headers/header_match.ts";
import { readFormBody } from "../../server/form_body.ts";
import UploadProgress from "../../islands/UploadProgress.tsx";
import { acceptUpload, runFailure } from "../../server/accept_upload.ts";
import { limitUploads, requirePermission, requirePrincipal } from "../../server/auth/guards.ts";
import { can } from "../../server/auth/principal.ts";
import { errorHeaders, STATUS_OF } from "../../server/http_errors.ts";
import type { AppState } from "../../server/services.ts";
import { renderShared } from "../../server/shared_render.ts";
import { UPLOAD_QUERY } from "../../server/upload_request.ts";

/** The query parameters the form's POST reads (those of the upload API). */
export const query = UPLOAD_QUERY;

interface UploadPage {
  type: ResolvedUploadType;
  /** The type's limit, or the operator's cap when that is lower. */
  maxFileBytes: number;
  error?: RunError;
  /** Whether the form is shown: false for a role that may not upload. */
  canUpload: boolean;
  /** The session's anti-CSRF token for the form, when signed in with a cookie. */
  csrfToken: string | null;
  /** The mapping step without JavaScript: a file's headers and the columns chosen so far. */
  step?: { headers: string[]; choice: Choice; problems: string[]; fileName: string | null };
  /** Columns chosen in that step, for the next upload of the file to send. */
  chosen?: Choice;
}

/** Most file columns the mapping step takes (a form field each). */
const MAX_STEP_HEADERS = 2000;

/** The upload form; a plain multipart POST works without JavaScript (303 to the run page). */
export const handler: Handlers<UploadPage, AppState> = {
  GET(_req, ctx) {
    const { uploadTypes, settings } = ctx.state.services;
    const type = uploadTypes.get(ctx.params.type);
    const principal = requirePrincipal(ctx.state);
    const page = {
      type,
      maxFileBytes: limit(type, settings.maxFileBytes),
      canUpload: can(principal, "upload"),
      csrfToken: principal.csrfToken,
    };
    // The same for every request of the same principal without a session: rendered once.
    if (page.canUpload) return renderShared(ctx, page);
    const error = new IngestError(
      "forbidden",
      `The role "${principal.role}" may not upload files`,
      {
        role: principal.role,
      },
    );
    return renderShared(ctx, { ...page, error: error.toJSON() }, 403);
  },
  async POST(req, ctx) {
    const { services } = ctx.state;
    const type = services.uploadTypes.get(ctx.params.type);
    const principal = requirePrincipal(ctx.state);
    const base = {
      type,
      maxFileBytes: limit(type, services.settings.maxFileBytes),
      canUpload: can(principal, "upload"),
      csrfToken: principal.csrfToken,
    };
    // The mapping step's own form (no file): its choice is checked and handed to the upload form.
    if (req.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded")) {
      requirePermission(ctx.state, "upload");
      const step = readStep(type, await readFormBody(req));
      if (step.problems.length) return ctx.render({ ...base, step }, { status: 422 });
      return ctx.render({ ...base, chosen: step.choice });
    }
    let fileName: string | null = null;
    try {
      requirePermission(ctx.state, "upload");
      limitUploads(ctx.state, ctx.remoteAddr);
      const { run } = await acceptUpload(services, req, type.name, {
        actor: principal.name,
        shareMapping: can(principal, "share_settings"),
      });
      fileName = run.fileName;
      // The uploader confirms a saved mapping, or matches the columns of a file whose headers do
      // not match, here on the form, not on the failed run's page.
      if (run.error?.type === "mapping_required" || stepFor(type, run.error, null)) {
        throw runFailure(run);
      }
      return new Response(null, { status: 303, headers: { location: `/runs/${run.id}` } });
    } catch (err) {
      await req.body?.cancel().catch(() => {});
      const error = toIngestError(err);
      const json = error.toJSON();
      const step = base.canUpload ? stepFor(type, json, fileName) : undefined;
      const page = { ...base, error: json, step };
      return ctx.render(page, { status: STATUS_OF[error.type], headers: errorHeaders(error) });
    }
  },
};

/**
 * The mapping step for a run refused for its header row, when choosing columns can fix it
 * (missing or doubly matched columns, not blank headers nor headers read alike); undefined
 * otherwise.
 */
function stepFor(
  type: ResolvedUploadType,
  error: RunError | null | undefined,
  fileName: string | null,
): UploadPage["step"] {
  if (error?.type !== "header_error") return undefined;
  const { found, blank } = error.details as { found?: unknown; blank?: unknown[] };
  if (!Array.isArray(found) || found.length === 0 || found.length > MAX_STEP_HEADERS) return;
  if (!found.every((h) => typeof h === "string") || (blank?.length ?? 0) > 0) return undefined;
  // A mapping names headers by their text: two headers read alike cannot be told apart by one.
  if (new Set(found.map(headerKey)).size < found.length) return undefined;
  const choice = suggest(type.columns, { header: found, rows: [] });
  return { headers: found, choice, problems: choiceProblems(type.columns, choice), fileName };
}

/** The mapping step's form: a `header` and a `column` field per file column, in order. */
function readStep(type: ResolvedUploadType, form: FormData): NonNullable<UploadPage["step"]> {
  const headers = form.getAll("header").map(String);
  const columns = form.getAll("column").map(String);
  if (!headers.length || headers.length !== columns.length || headers.length > MAX_STEP_HEADERS) {
    throw new IngestError("bad_request", "Expected a column for each header of the file", {
      headers: headers.length,
      columns: columns.length,
    });
  }
  const choice: Choice = Object.fromEntries(headers.map((h, i) => [h, columns[i] || null]));
  checkMapping(type, choice);
  const fileName = String(form.get("fileName") ?? "") || null;
  return { headers, choice, problems: choiceProblems(type.columns, choice), fileName };
}

/** `/upload/[type]`: choose a file and a mode, see the expected columns. */
export default function Upload(
  { data: { type, maxFileBytes, error, canUpload, csrfToken, step, chosen } }: PageProps<
    UploadPage
  >,
) {
  return (
    <>
      <p class="breadcrumb">
        <a href="/">Upload types</a> / {type.label}
      </p>
      <h1>Upload {type.label.toLowerCase()}</h1>
      <p>{type.description}</p>
      {error && !step && <RunErrorPanel error={error} />}
      {step && (
        <MappingStep
          columns={type.columns}
          headers={step.headers}
          choice={step.choice}
          problems={step.problems}
          fileName={step.fileName}
          csrfToken={csrfToken}
        />
      )}
      {chosen && <ChosenColumns columns={type.columns} choice={chosen} />}
      {error?.type === "mapping_required" && canUpload && (
        <p class="mapper-saved">
          To import with this mapping, choose the file again and upload it: the form below sends the
          mapping with it.
        </p>
      )}
      {canUpload && !step && (
        <UploadProgress
          uploadType={type.name}
          maxFileBytes={maxFileBytes}
          csrfToken={csrfToken}
          confirmMapping={chosen
            ? JSON.stringify(chosen)
            : error?.type === "mapping_required"
            ? JSON.stringify(error.details.mapping)
            : undefined}
          columns={type.columns}
        />
      )}
      <h2>Expected columns</h2>
      <div class="table-wrap">
        <table class="columns">
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
                <th scope="row" title={c.name}>
                  {c.label}
                  {c.required && <span class="badge badge-required">required</span>}
                  {type.key.includes(c.name) && <span class="badge badge-key">key</span>}
                </th>
                <td>{c.type}</td>
                <td class="rules">{rules(c)}</td>
                <td>
                  {[...new Set([c.name, ...c.aliases])].filter((a) => a !== c.label).join(", ")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The column's own plain-language description, else the rules read from its config. */
function rules(c: ResolvedUploadType["columns"][number]): string {
  if (c.description) return c.description;
  const parts: string[] = [];
  if (c.values) parts.push(`one of ${c.values.join(", ")}`);
  if (c.min !== undefined) parts.push(`at least ${c.min}`);
  if (c.max !== undefined) parts.push(`at most ${c.max}`);
  if (c.maxLength !== undefined) parts.push(`up to ${c.maxLength} characters`);
  // A pattern is for the config's author; a person sees the shape it wants by example.
  if (c.pattern !== undefined) {
    parts.push(
      c.example !== undefined ? `written like ${c.example}` : "in a set form (see the template)",
    );
  }
  if (c.type === "date") parts.push(["YYYY-MM-DD", ...c.formats ?? []].join(" or "));
  if (c.type === "datetime" && c.formats) parts.push(["ISO 8601", ...c.formats].join(" or "));
  if (c.timezone !== undefined) parts.push(`times in ${c.timezone} unless they give an offset`);
  if (c.decimalSeparator === "," || c.thousandsSeparator !== undefined) {
    const format = { ...c, decimalSeparator: c.decimalSeparator ?? "." } as const;
    parts.push(`written like ${numberExample(format, c.type === "integer")}`);
  }
  if (c.percent) parts.push("12.5% is 0.125");
  if (c.type === "boolean" && !c.trueValues && !c.falseValues) {
    parts.push("true/false, yes/no, 1/0");
  } else if (c.type === "boolean") {
    parts.push(
      `${(c.trueValues ?? ["true"]).join("/")} or ${(c.falseValues ?? ["false"]).join("/")}`,
    );
  }
  const empty = c.nullValues.filter((v) => v.trim() !== "");
  if (empty.length) parts.push(`${empty.join(", ")} mean empty`);
  return parts.join("; ") || "—";
}

function limit(type: ResolvedUploadType, operatorCap: number | undefined): number {
  return Math.min(type.maxFileBytes, operatorCap ?? Infinity);
}

/**
 * Small helpers shared by the JSON API routes.
 *
 * @module
 */
import type { ResolvedUploadType } from "../core/config/upload_type_schema.ts";
import type { Run } from "../core/runs/run.ts";

/** The API path of a run. */
export function runPath(id: string): string {
  return `/api/v1/runs/${id}`;
}

/** A JSON response of a run with its `Location`. */
export function runResponse(run: Run, status = 200): Response {
  return Response.json(run, { status, headers: { location: runPath(run.id) } });
}

/** The public description of an upload type, as the listing returns it. */
export function describeUploadType(type: ResolvedUploadType) {
  return {
    name: type.name,
    label: type.label,
    description: type.description,
    table: type.table,
    key: type.key,
    writeMode: type.writeMode,
    onInvalid: type.onInvalid,
    maxInvalidRows: type.maxInvalidRows ?? null,
    maxInvalidPercent: type.maxInvalidPercent ?? null,
    maxFileBytes: type.maxFileBytes,
    maxRows: type.maxRows,
    columns: type.columns.map((c) => ({
      name: c.name,
      label: c.label,
      type: c.type,
      required: c.required,
      ...(c.default !== undefined ? { default: c.default } : {}),
      ...(c.min !== undefined ? { min: c.min } : {}),
      ...(c.max !== undefined ? { max: c.max } : {}),
      ...(c.maxLength !== undefined ? { maxLength: c.maxLength } : {}),
      ...(c.pattern !== undefined ? { pattern: c.pattern } : {}),
      ...(c.values !== undefined ? { values: c.values } : {}),
      aliases: c.aliases,
    })),
  };
}

/** A CSV download response. */
export function csvResponse(body: BodyInit, fileName: string): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${fileName}"`,
      "cache-control": "no-store",
    },
  });
}

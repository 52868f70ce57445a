/**
 * The file name a client sent (`X-File-Name`, a form part's `filename`), made fit to keep: it is
 * shown on pages, stored with the run and matched for its extension, but the client chooses it.
 *
 * @module
 */

/** Longest file name kept, in UTF-16 code units: what common file systems allow. */
export const MAX_FILE_NAME_CHARS = 255;

// C0 controls (NUL among them: no PostgreSQL text can hold it) and DEL mean nothing in a name.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * `name` without control characters and cut to {@linkcode MAX_FILE_NAME_CHARS} (keeping its
 * extension); null when nothing is left.
 *
 * @example A NUL sent in a name
 * ```ts
 * import { cleanFileName } from "./file_name.ts";
 * if (cleanFileName("report\0.csv") !== "report.csv") throw new Error("unexpected");
 * ```
 */
export function cleanFileName(name: string | null): string | null {
  if (name === null) return null;
  const clean = name.replace(CONTROL, "").trim();
  if (clean === "") return null;
  if (clean.length <= MAX_FILE_NAME_CHARS) return clean;
  const extension = clean.match(/\.[A-Za-z0-9]{1,10}$/)?.[0] ?? "";
  let end = MAX_FILE_NAME_CHARS - extension.length;
  // Never keep half of a surrogate pair.
  const code = clean.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return clean.slice(0, end) + extension;
}

/**
 * Loads the upload types from a directory of config files (`config/upload_types/*.ts`, each
 * default-exporting `defineUploadType({...})`) at start, validating each one. This is the Deno
 * side of the config: `core/config/` itself never touches the file system.
 *
 * @example
 * ```ts
 * import { loadUploadTypes } from "./load_upload_types.ts";
 *
 * const registry = await loadUploadTypes(new URL("../../config/upload_types/", import.meta.url));
 * if (registry.get("facilities").table !== "facilities") throw new Error("unexpected");
 * ```
 *
 * @module
 */
import { UploadTypeRegistry } from "../../core/config/registry.ts";
import {
  type ResolvedUploadType,
  resolveUploadType,
  UploadTypeConfigError,
} from "../../core/config/upload_type_schema.ts";

// Tests, `mod.ts` barrels and `_private.ts` helpers may sit beside the config files.
const SKIPPED = /(^_|_test\.ts$|^mod\.ts$)/;

/**
 * Imports, validates and registers every upload type in `dir`, in file name order.
 *
 * @param dir The directory, as a `file:` URL (a trailing slash is added when missing).
 * @returns The registry of every type.
 * @throws {UploadTypeConfigError} Naming the file (relative to the working directory) and the
 * field, when a file cannot be imported, has no default export or is not a valid upload type,
 * when two files use one name, or when `dir` holds no config file.
 */
export async function loadUploadTypes(dir: URL): Promise<UploadTypeRegistry> {
  const base = dir.href.endsWith("/") ? dir : new URL(`${dir.href}/`);
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(base)) {
      if (entry.isFile && entry.name.endsWith(".ts") && !SKIPPED.test(entry.name)) {
        files.push(entry.name);
      }
    }
  } catch (err) {
    throw new UploadTypeConfigError(
      `Cannot read the upload types in ${relative(base)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (files.length === 0) {
    throw new UploadTypeConfigError(
      `No upload types in ${
        relative(base)
      }: add a file that does \`export default defineUploadType({...})\``,
    );
  }
  const types: ResolvedUploadType[] = [];
  for (const file of files.sort()) {
    const url = new URL(file, base);
    types.push(resolveUploadType(await importDefault(url), relative(url)));
  }
  return new UploadTypeRegistry(types);
}

async function importDefault(url: URL): Promise<unknown> {
  let module: Record<string, unknown>;
  try {
    module = await import(url.href);
  } catch (err) {
    throw new UploadTypeConfigError(
      `Cannot load upload type from ${relative(url)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (module.default === undefined) {
    throw new UploadTypeConfigError(
      `Invalid upload type in ${
        relative(url)
      }: the file must \`export default defineUploadType({...})\``,
    );
  }
  return module.default;
}

function relative(url: URL): string {
  const cwd = new URL(`file://${Deno.cwd()}/`).href;
  return url.href.startsWith(cwd) ? decodeURIComponent(url.href.slice(cwd.length)) : url.pathname;
}

/**
 * Loads the upload types from a directory of config files (`config/upload_types/*.ts`, each
 * default-exporting `defineUploadType({...})`), validating each one.
 *
 * @module
 */
import { UploadTypeRegistry } from "../core/config/registry.ts";
import { resolveUploadType, UploadTypeConfigError } from "../core/config/upload_type_schema.ts";

/** Imports, validates and registers every upload type in `dir`; errors name the file. */
export async function loadUploadTypes(dir: URL): Promise<UploadTypeRegistry> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && /\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) {
      files.push(entry.name);
    }
  }
  const types = [];
  for (const file of files.sort()) {
    const url = new URL(file, dir);
    const source = relative(url);
    const module = await import(url.href);
    if (!("default" in module)) {
      throw new UploadTypeConfigError(
        `Invalid upload type in ${source}: export default defineUploadType({...})`,
      );
    }
    types.push(resolveUploadType(module.default, source));
  }
  return new UploadTypeRegistry(types);
}

function relative(url: URL): string {
  const cwd = `file://${Deno.cwd()}/`;
  return url.href.startsWith(cwd) ? url.href.slice(cwd.length) : url.pathname;
}

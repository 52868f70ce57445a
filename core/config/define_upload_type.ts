/**
 * `defineUploadType()`: the helper config files in `config/upload_types/` call, for type checking
 * and editor completion. Validation happens when the server loads the file.
 *
 * @module
 */
import type { UploadTypeInput } from "./upload_type_schema.ts";

export type { ColumnInput, UploadTypeInput } from "./upload_type_schema.ts";

/**
 * Declares an upload type (an identity function that exists for its types).
 *
 * @example
 * ```ts
 * import { defineUploadType } from "./define_upload_type.ts";
 * export default defineUploadType({
 *   name: "sites", label: "Sites", table: "sites", key: ["site_id"],
 *   columns: [{ name: "site_id", type: "text", required: true }],
 * });
 * ```
 */
export function defineUploadType(config: UploadTypeInput): UploadTypeInput {
  return config;
}

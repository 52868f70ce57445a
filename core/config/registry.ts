/**
 * The loaded upload types, by name: what routes and the pipeline look types up in.
 *
 * This module is browser compatible.
 *
 * @example
 * ```ts
 * import { UploadTypeRegistry } from "./registry.ts";
 * import { resolveUploadType } from "./upload_type_schema.ts";
 * const sites = resolveUploadType({
 *   name: "sites", label: "Sites", table: "sites", key: ["id"],
 *   columns: [{ name: "id", type: "text", required: true }],
 * }, "sites.ts");
 * const registry = new UploadTypeRegistry([sites]);
 * if (registry.get("sites") !== sites) throw new Error("unexpected");
 * ```
 *
 * @module
 */
import { IngestError } from "../errors.ts";
import { linkReferences } from "./references.ts";
import { type ResolvedUploadType, UploadTypeConfigError } from "./upload_type_schema.ts";

/** Upload types by name; `get` throws `unknown_upload_type` for a name not configured. */
export class UploadTypeRegistry {
  readonly #types: ReadonlyMap<string, ResolvedUploadType>;

  /**
   * Registers `types`, resolving the columns that reference other types (`references.ts`).
   *
   * @throws {UploadTypeConfigError} When two types share a name, or a reference is invalid.
   */
  constructor(types: readonly ResolvedUploadType[]) {
    const map = new Map<string, ResolvedUploadType>();
    for (const type of types) {
      const other = map.get(type.name);
      if (other) {
        throw new UploadTypeConfigError(
          `Invalid upload type in ${type.source}: name: "${type.name}" is already defined in ${other.source}`,
        );
      }
      map.set(type.name, type);
    }
    for (const type of linkReferences([...map.values()])) map.set(type.name, type);
    this.#types = map;
  }

  /** Every type, in name order. */
  list(): ResolvedUploadType[] {
    return [...this.#types.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Whether a type called `name` is configured. */
  has(name: string): boolean {
    return this.#types.has(name);
  }

  /**
   * The type called `name`.
   *
   * @throws {IngestError} `unknown_upload_type` with `details.uploadType` and `details.known`.
   */
  get(name: string): ResolvedUploadType {
    const type = this.#types.get(name);
    if (type) return type;
    const known = [...this.#types.keys()].sort();
    const hint = known.length
      ? `the known types are ${known.map((k) => `"${k}"`).join(", ")}`
      : "no upload types are configured";
    throw new IngestError("unknown_upload_type", `Unknown upload type "${name}": ${hint}`, {
      uploadType: name,
      known,
    });
  }
}

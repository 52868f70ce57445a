/**
 * The loaded upload types, by name.
 *
 * @module
 */
import { IngestError } from "../errors.ts";
import type { ResolvedUploadType } from "./upload_type_schema.ts";

/** Upload types by name; `get` throws `unknown_upload_type` for a name not configured. */
export class UploadTypeRegistry {
  readonly #types: ReadonlyMap<string, ResolvedUploadType>;

  constructor(types: readonly ResolvedUploadType[]) {
    const map = new Map<string, ResolvedUploadType>();
    for (const type of types) {
      const other = map.get(type.name);
      if (other) {
        throw new TypeError(
          `Upload type "${type.name}" is defined twice: in ${other.source} and ${type.source}`,
        );
      }
      map.set(type.name, type);
    }
    this.#types = map;
  }

  /** Every type, in name order. */
  list(): ResolvedUploadType[] {
    return [...this.#types.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The type called `name`. */
  get(name: string): ResolvedUploadType {
    const type = this.#types.get(name);
    if (type) return type;
    throw new IngestError("unknown_upload_type", `Unknown upload type "${name}"`, {
      uploadType: name,
      known: [...this.#types.keys()].sort(),
    });
  }
}

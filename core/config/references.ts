/**
 * Cross-type references: a column that holds another upload type's key (`references:
 * "facilities"`). Each type is validated on its own first; this then checks every reference
 * against the other types and resolves it to the referenced table and key column.
 *
 * This module is browser compatible.
 *
 * @example Link emissions to facilities
 * ```ts
 * import { linkReferences } from "./references.ts";
 * import { resolveUploadType } from "./upload_type_schema.ts";
 * const facilities = resolveUploadType({
 *   name: "facilities", label: "Facilities", table: "facilities", key: ["facility_id"],
 *   columns: [{ name: "facility_id", type: "text", required: true }],
 * }, "facilities.ts");
 * const emissions = resolveUploadType({
 *   name: "emissions", label: "Emissions", table: "emissions", key: ["facility_id", "year"],
 *   columns: [
 *     { name: "facility_id", type: "text", required: true, references: "facilities" },
 *     { name: "year", type: "integer", required: true },
 *   ],
 * }, "emissions.ts");
 * const [, linked] = linkReferences([facilities, emissions]);
 * if (linked.references?.[0].table !== "facilities") throw new Error("unexpected");
 * ```
 *
 * @module
 */
import { sqlType } from "./sql_types.ts";
import {
  type ResolvedReference,
  type ResolvedUploadType,
  UploadTypeConfigError,
} from "./upload_type_schema.ts";

/**
 * Checks each column's `references` against `types` and returns the types with their resolved
 * `references` (a type without any comes back as it was).
 *
 * @param types Every upload type, each valid on its own, names unique.
 * @returns The same types, in the same order, those with references copied and frozen.
 * @throws {UploadTypeConfigError} Naming the file and column, when the referenced type does not
 * exist, is the type itself, has a key of more than one column, or its key column has another
 * SQL type.
 */
export function linkReferences(types: readonly ResolvedUploadType[]): ResolvedUploadType[] {
  const byName = new Map(types.map((t) => [t.name, t]));
  return types.map((type) => {
    const references: ResolvedReference[] = [];
    type.columns.forEach((column, i) => {
      if (column.references === undefined) return;
      const fail = (why: string): never => {
        throw new UploadTypeConfigError(
          `Invalid upload type in ${type.source}: columns[${i}].references: ${why}`,
        );
      };
      const other = byName.get(column.references);
      if (!other) {
        const known = [...byName.keys()].filter((n) => n !== type.name).sort();
        fail(
          `"${column.references}" is not an upload type` +
            (known.length ? ` (the others are ${known.map((k) => `"${k}"`).join(", ")})` : ""),
        );
      } else if (other === type) {
        fail("a column cannot reference its own upload type");
      } else if (other.key.length !== 1) {
        fail(
          `"${other.name}" has a key of ${other.key.length} columns (${other.key.join(", ")}); ` +
            "only a single-column key can be referenced",
        );
      } else {
        const key = other.columns.find((c) => c.name === other.key[0])!;
        if (sqlType(key) !== sqlType(column)) {
          fail(
            `"${column.name}" is ${column.type} (${sqlType(column)}) but the key ` +
              `"${other.name}.${key.name}" is ${key.type} (${sqlType(key)})`,
          );
        }
        references.push(Object.freeze({
          column: column.name,
          type: other.name,
          label: other.label,
          table: other.table,
          key: key.name,
        }));
      }
    });
    return references.length
      ? Object.freeze({ ...type, references: Object.freeze(references) })
      : type;
  });
}

/** Formatting shared by the pages. */

/** A timestamp as people read it (UTC, to the second). */
export function formatTime(iso: string | null): string {
  return iso ? iso.slice(0, 19).replace("T", " ") + " UTC" : "—";
}

/** A cell value for display: empty for null, JSON for anything structured. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

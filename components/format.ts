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

/** A byte count as people read it (bytes, KB or MB, binary multiples). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${Math.round(bytes)} bytes`;
}

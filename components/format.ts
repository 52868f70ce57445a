/** Formatting shared by the pages. */

/** A count as people read it, with thousands separators ("300,300"); the one number format. */
export function formatNumber(n: number): string {
  return n.toLocaleString("en");
}

/** A timestamp as people read it (UTC, to the second); the one date format. */
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

/** Time between two ISO timestamps ("4.2 s", "3 min"), or "—" when the end is unknown. */
export function formatElapsed(from: string | null, to: string | null): string {
  if (!from || !to) return "—";
  return formatDuration((Date.parse(to) - Date.parse(from)) / 1000);
}

/** A duration as people read it: "4.2 s", "3 min", "5 h", "2 days". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

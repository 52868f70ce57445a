/**
 * Guessing the field delimiter of a CSV file from its first lines.
 *
 * This module is browser compatible.
 *
 * @module
 */

/** The delimiters Intake accepts. */
export type Delimiter = "," | ";" | "\t" | "|";

// Order breaks ties: comma first, as most files are comma-separated.
const CANDIDATES: readonly Delimiter[] = [",", ";", "\t", "|"];
const CODES = CANDIDATES.map((d) => d.charCodeAt(0));
const QUOTE = 34;
const LF = 10;
const CR = 13;
const MAX_RECORDS = 20;

/**
 * Picks the delimiter among `,` `;` tab `|` from the first records of `sample`, outside quotes.
 *
 * The header record decides which candidates occur at all; among those, the one that occurs
 * the same number of times in most of the following records wins (a stray `;` in a header
 * cell loses to the comma that every row repeats), then the most frequent, then the order
 * above. A sample with none of them (one column) is comma-separated.
 *
 * @param sample The start of the file; a last line cut short is ignored unless it is the only one.
 * @returns The delimiter to parse with.
 *
 * @example
 * ```ts
 * import { detectDelimiter } from "./detect_delimiter.ts";
 * if (detectDelimiter("id;amount\n1;2,5\n2;3,75\n") !== ";") throw new Error("unexpected");
 * ```
 */
export function detectDelimiter(sample: string): Delimiter {
  const records = countPerRecord(sample);
  const header = records[0];
  if (!header) return ",";
  let best = -1;
  let bestConsistency = -1;
  for (let d = 0; d < CANDIDATES.length; d++) {
    if (header[d] === 0) continue;
    let consistency = 0;
    for (let r = 1; r < records.length; r++) if (records[r][d] === header[d]) consistency++;
    if (
      consistency > bestConsistency ||
      (consistency === bestConsistency && header[d] > header[best])
    ) {
      best = d;
      bestConsistency = consistency;
    }
  }
  return best === -1 ? "," : CANDIDATES[best];
}

/** Counts each candidate per record (outside quotes) for the first complete, non-blank records. */
function countPerRecord(sample: string): number[][] {
  const records: number[][] = [];
  let counts = [0, 0, 0, 0];
  let length = 0; // characters in the current record
  let inQuotes = false;
  let prev = -1;
  for (let i = 0; i < sample.length && records.length < MAX_RECORDS; i++) {
    const c = sample.charCodeAt(i);
    if (inQuotes) {
      if (c === QUOTE) {
        if (sample.charCodeAt(i + 1) === QUOTE) i++;
        else inQuotes = false;
      }
      prev = c;
      continue;
    }
    if (c === LF || c === CR) {
      if (length > 0) records.push(counts);
      counts = [0, 0, 0, 0];
      length = 0;
    } else {
      length++;
      // A quote opens a quoted field only at the start of a field, as the parser reads it.
      if (c === QUOTE && (prev === -1 || prev === LF || prev === CR || CODES.includes(prev))) {
        inQuotes = true;
      } else {
        const d = CODES.indexOf(c);
        if (d !== -1) counts[d]++;
      }
    }
    prev = c;
  }
  if (records.length === 0 && length > 0) records.push(counts);
  return records;
}

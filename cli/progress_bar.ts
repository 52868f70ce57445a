/**
 * Progress of an import on stderr: a bar redrawn in place (at most ten times a second) when
 * stderr is a terminal, one plain line at the end when it is not (logs, CI).
 *
 * @module
 */
import { formatBytes } from "../components/format.ts";
import { formatCount } from "./table.ts";

/** What the bar shows at one moment. */
export interface ProgressState {
  bytes: number;
  /** The file's size, when known (a pipe has none). */
  totalBytes: number | null;
  rows: number;
  elapsedMs: number;
}

const REDRAW_MS = 100;
const BAR_MIN = 10;
const BAR_MAX = 30;

/**
 * One line of progress: bar and percent (when the size is known), bytes, rows, rates.
 *
 * @example
 * ```ts
 * import { formatProgress } from "./progress_bar.ts";
 * const line = formatProgress({ bytes: 512, totalBytes: 1024, rows: 10, elapsedMs: 2000 }, 80);
 * if (!line.includes(" 50%  512 bytes / 1.0 KB  10 rows  5 rows/s")) throw new Error(line);
 * ```
 */
export function formatProgress(state: ProgressState, columns = 80): string {
  const seconds = state.elapsedMs / 1000;
  // In order of importance: a narrow terminal loses the rates first.
  const parts = [
    state.totalBytes === null
      ? formatBytes(state.bytes)
      : `${formatBytes(state.bytes)} / ${formatBytes(state.totalBytes)}`,
    `${formatCount(state.rows)} rows`,
    ...(seconds > 0
      ? [`${formatCount(state.rows / seconds)} rows/s`, `${formatBytes(state.bytes / seconds)}/s`]
      : []),
  ];
  const budget = columns - 1;
  // "[bar] 100%  " around the text: the bar's width plus 9.
  const around = state.totalBytes === null ? 0 : BAR_MIN + 9;
  while (parts.length > 1 && around + parts.join("  ").length > budget) parts.pop();
  const text = parts.join("  ");
  if (state.totalBytes === null) return text.slice(0, budget);
  const fraction = state.totalBytes > 0 ? Math.min(1, state.bytes / state.totalBytes) : 1;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const width = Math.max(BAR_MIN, Math.min(BAR_MAX, budget - 9 - text.length));
  const filled = Math.round(fraction * width);
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  return `${bar} ${percent}  ${text}`.slice(0, budget);
}

/** The final line: what was read, how long the whole run took, how fast. */
export function formatProgressSummary(state: ProgressState): string {
  const seconds = state.elapsedMs / 1000;
  const rate = seconds > 0 ? `: ${formatCount(state.rows / seconds)} rows/s` : "";
  return `Processed ${formatBytes(state.bytes)}, ${formatCount(state.rows)} rows in ` +
    `${seconds.toFixed(1)} s${rate}`;
}

/** Options of {@linkcode ProgressBar}. */
export interface ProgressBarOptions {
  totalBytes: number | null;
  /** Raw writes to a terminal; absent when stderr is not one (then only `finish` prints). */
  draw?: (text: string) => void;
  /** Prints a whole line (the final one when there is no terminal). */
  line: (text: string) => void;
  columns?: number;
  /** Milliseconds, monotonic. */
  now?: () => number;
}

/** Tracks bytes and rows and redraws the bar at most every 100 ms. */
export class ProgressBar {
  readonly #options: ProgressBarOptions;
  readonly #now: () => number;
  readonly #started: number;
  #lastDraw: number;
  #drawn = false;
  #bytes = 0;
  #rows = 0;

  constructor(options: ProgressBarOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
    // The first draw waits a full interval, so a file read in a blink shows no bar at all.
    this.#lastDraw = this.#started;
  }

  /** The state as of now. */
  get state(): ProgressState {
    return {
      bytes: this.#bytes,
      totalBytes: this.#options.totalBytes,
      rows: this.#rows,
      elapsedMs: this.#now() - this.#started,
    };
  }

  /** Records new counts and redraws when the last draw is at least 100 ms old. */
  update(progress: { bytes?: number; rows?: number }): void {
    this.#bytes = progress.bytes ?? this.#bytes;
    this.#rows = progress.rows ?? this.#rows;
    const draw = this.#options.draw;
    if (!draw) return;
    const now = this.#now();
    if (now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    this.#drawn = true;
    draw(`\r${formatProgress(this.state, this.#options.columns)}\x1b[K`);
  }

  /** Ends the bar: clears it from the terminal and prints the final line. */
  finish(final: { bytes?: number; rows?: number } = {}): void {
    this.#bytes = final.bytes ?? this.#bytes;
    this.#rows = final.rows ?? this.#rows;
    if (this.#drawn) this.#options.draw?.("\r\x1b[K");
    this.#options.line(formatProgressSummary(this.state));
  }
}

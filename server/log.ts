/**
 * Structured logs: one JSON object per line on stderr, filtered by `LOG_LEVEL`.
 * Never log file contents or secrets: callers pass ids, counts and error types.
 *
 * @module
 */
import { LOG_LEVELS, type Settings } from "./settings.ts";

type Level = Settings["logLevel"];
let threshold = LOG_LEVELS.indexOf("info");

function write(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (LOG_LEVELS.indexOf(level) < threshold) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
  console.error(line);
}

/** The process logger. */
export const log = {
  /** Sets the lowest level that is written. */
  setLevel(level: Level): void {
    threshold = LOG_LEVELS.indexOf(level);
  },
  debug: (message: string, fields?: Record<string, unknown>) => write("debug", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
};

/**
 * The retention of committed runs' rows (`INTAKE_RUN_ROWS_RETENTION_DAYS`): once at start and
 * then every hour, the rows kept as the record of what a reviewed commit applied are dropped for
 * runs committed longer ago than the setting (`Store.purgeCommittedRows`). Every instance may
 * purge; a run is purged once whoever gets there first.
 *
 * @module
 */
import { log } from "./log.ts";
import type { HostServices } from "./services.ts";

/** What the purge uses of the services. */
export type RetentionServices = Pick<HostServices, "settings" | "store">;

const DAY_MS = 24 * 60 * 60 * 1000;

/** How often the purge runs. */
export const PURGE_EVERY_MS = 60 * 60 * 1000;

/** Purges the rows past retention once; returns how many runs it purged (0 on failure). */
export async function purgeExpiredRows(services: RetentionServices): Promise<number> {
  const days = services.settings.runRowsRetentionDays;
  try {
    const purged = await services.store.purgeCommittedRows(days * DAY_MS);
    if (purged.length) log.info("committed rows purged", { runs: purged.length, days });
    return purged.length;
  } catch (err) {
    // The next round tries again; an unreachable database is reported by readiness.
    log.warn("purging committed rows failed", { cause: err });
    return 0;
  }
}

/** Starts the hourly purge; returns the function that stops it. */
export function startRowRetention(
  services: RetentionServices,
  everyMs = PURGE_EVERY_MS,
): () => void {
  let running: Promise<unknown> = purgeExpiredRows(services);
  const timer = setInterval(() => {
    running = running.then(() => purgeExpiredRows(services));
  }, everyMs);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}

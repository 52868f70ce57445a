/**
 * Wall times in a named time zone (IANA, e.g. `Europe/Berlin`, or `UTC`) turned into instants,
 * with `Intl` alone: a `datetime` column's declared `timezone` reads values written without an
 * offset.
 *
 * This module is browser compatible.
 *
 * @module
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether `zone` is a time zone `Intl` knows. */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant (epoch milliseconds) at which clocks in `zone` show `wall` (epoch milliseconds of
 * the same fields read as UTC). A wall time skipped by a daylight-saving change is read with the
 * offset before the change (02:30 on a spring-forward night is 03:30 of the new offset), one
 * repeated by it as the first of the two.
 */
export function wallTimeToUtc(wall: number, zone: string): number {
  const DAY = 86_400_000;
  const before = wall - offsetAt(wall - DAY, zone);
  const after = wall - offsetAt(wall + DAY, zone);
  const shows = (instant: number) => instant + offsetAt(instant, zone) === wall;
  if (shows(before)) return shows(after) ? Math.min(before, after) : before;
  return shows(after) ? after : before;
}

/** The offset of `zone` from UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, zone: string): number {
  const parts = formatter(zone).formatToParts(new Date(instant));
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const shown = new Date(0);
  shown.setUTCFullYear(field("year"), field("month") - 1, field("day"));
  shown.setUTCHours(field("hour"), field("minute"), field("second"), 0);
  return shown.getTime() - (instant - (((instant % 1000) + 1000) % 1000));
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/**
 * Request rate limits: a token bucket per key (a user, an API token or an address), kept in
 * memory by each instance. A bucket holds `count` requests and refills evenly over `windowMs`, so
 * `30/min` allows a burst of 30 and then one request every two seconds.
 *
 * @example Thirty a minute
 * ```ts
 * import { parseRate, RateLimiter } from "./rate_limit.ts";
 * const limiter = new RateLimiter(parseRate("30/min"));
 * for (let i = 0; i < 30; i++) limiter.take("alice", 0);
 * const refused = limiter.take("alice", 0);
 * if (refused.ok || refused.retryAfterSeconds !== 2) throw new Error("unexpected");
 * ```
 *
 * @module
 */

/** How many requests per how long. */
export interface Rate {
  count: number;
  windowMs: number;
}

/** What {@linkcode RateLimiter.take} answers: go ahead, or wait this many whole seconds. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

const UNITS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};

/** Parses `30/min`, `500/hour`, `5/s` or `1000/day`; throws `TypeError` naming the value. */
export function parseRate(text: string, name = "rate"): Rate {
  const match = /^\s*(\d+)\s*\/\s*([a-z]+?)s?\s*$/i.exec(text);
  const windowMs = match ? UNITS[match[2].toLowerCase()] : undefined;
  const count = match ? Number(match[1]) : 0;
  if (!match || windowMs === undefined || count < 1 || !Number.isSafeInteger(count)) {
    throw new TypeError(
      `Invalid ${name} "${text}": expected a count per unit, e.g. 30/min, 500/hour or 5/s`,
    );
  }
  return { count, windowMs };
}

/**
 * Token buckets by key, in memory, kept as one timestamp each (GCRA: the time at which the bucket
 * would be full again), so no fractions pile up. At most `maxKeys` buckets are kept; the least
 * recently used go first, which only ever hands a client a full bucket again.
 */
export class RateLimiter {
  readonly rate: Rate;
  #fullAt = new Map<string, number>();
  #maxKeys: number;

  constructor(rate: Rate, maxKeys = 10_000) {
    this.rate = Object.freeze({ ...rate });
    this.#maxKeys = maxKeys;
  }

  /** Takes one request from `key`'s bucket, or says how long until one is available. */
  take(key: string, now: number = Date.now()): RateDecision {
    const { count, windowMs } = this.rate;
    const interval = windowMs / count;
    const previous = this.#fullAt.get(key) ?? now;
    const fullAt = Math.max(previous, now) + interval;
    const wait = fullAt - now - windowMs;
    // Re-inserting, refused or not, keeps the map in least-recently-used order for eviction.
    this.#fullAt.delete(key);
    this.#fullAt.set(key, wait > 0 ? previous : fullAt);
    if (this.#fullAt.size > this.#maxKeys) this.#fullAt.delete(this.#fullAt.keys().next().value!);
    if (wait > 0) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
    return { ok: true };
  }
}

/**
 * {@linkcode LastRuns}: the newest run of each upload type, as the home page shows it, read from
 * the database at most once per `ttlMs` instead of once per card per request.
 *
 * The store of this process forgets the answers whenever a run is created or changes status
 * ({@linkcode ObservedStore}), so this instance's own uploads show at once. Runs written by
 * another instance sharing the database show within `ttlMs`, as if the page had been requested
 * that much earlier.
 *
 * @module
 */
import type { Run } from "../core/runs/run.ts";
import type { Store } from "../core/ports.ts";

/** How long an answer is served without asking the database again. */
export const LAST_RUN_TTL_MS = 1000;

interface Entry {
  at: number;
  run: Promise<Run | null>;
}

/** The newest run per upload type and actor, shared by requests for a short while. */
export class LastRuns {
  readonly #store: Pick<Store, "listRuns">;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(
    store: Pick<Store, "listRuns">,
    ttlMs = LAST_RUN_TTL_MS,
    now: () => number = () => performance.now(),
  ) {
    this.#store = store;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /**
   * The newest run of `uploadType`, among those of `actor` when given (a principal who may not
   * see every run), or null when there is none.
   */
  get(uploadType: string, actor: string | undefined): Promise<Run | null> {
    const key = actor === undefined ? `${uploadType}\n*` : `${uploadType}\n=${actor}`;
    const now = this.#now();
    const cached = this.#entries.get(key);
    if (cached && now - cached.at < this.#ttlMs) return cached.run;
    // One query for all the requests that arrive while it runs.
    const entry: Entry = {
      at: now,
      run: this.#store.listRuns({ uploadType, limit: 1, actor }).then((p) => p.items[0] ?? null),
    };
    // Entries are per type and per actor (configured users and tokens): the map stays small.
    this.#entries.set(key, entry);
    entry.run.catch(() => {
      // A failed read is not served to later requests.
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return entry.run;
  }

  /** Forgets every answer: a run was created or changed status. */
  invalidate(): void {
    this.#entries.clear();
  }
}

/**
 * A fence around the store a job's pipeline writes through. When the job stops being this
 * instance's (its lease was lost, or it is handed back at shutdown), the fence closes: every
 * later call fails with `interrupted` and `close()` waits for the calls already under way. After
 * that nothing of the old attempt can reach the database, so the run can be reset and retried
 * without a late write of the first attempt mixing in.
 *
 * @module
 */
import { IngestError } from "../../../core/errors.ts";
import type { Store } from "../../../core/ports.ts";

/** A store that can be shut off. */
export interface FencedStore {
  /** The store to hand to the pipeline. */
  readonly store: Store;
  /** True once {@linkcode FencedStore.close} was called. */
  readonly closed: boolean;
  /**
   * Refuses every later call; resolves true once the calls under way have settled, false when
   * some are still running after `timeoutMs`.
   */
  close(timeoutMs?: number): Promise<boolean>;
}

/** Wraps `store` in a fence; `runId` only names the run in the refusal. */
export function fenceStore(store: Store, runId: string): FencedStore {
  let closed = false;
  const pending = new Set<Promise<unknown>>();
  const proxy = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (closed) {
          return Promise.reject(
            new IngestError(
              "interrupted",
              `Run "${runId}" is no longer processed by this instance`,
              { runId },
            ),
          );
        }
        const result = value.apply(target, args);
        if (result instanceof Promise) {
          pending.add(result);
          const forget = () => pending.delete(result);
          result.then(forget, forget);
        }
        return result;
      };
    },
  });
  return {
    store: proxy,
    get closed() {
      return closed;
    },
    async close(timeoutMs = 10_000) {
      closed = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const drained = Promise.allSettled([...pending]).then(() => true);
      try {
        return await Promise.race([drained, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Test helpers shared by every suite: `test` and the few assertions we use. JSR's `@std/assert`
 * and `@std/testing` are unreachable here, so this wraps `node:assert/strict`; tests beside
 * `core/` files import from here so that `core/` never names `Deno` or `node:` itself.
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Registers a test (`Deno.test`), so runtime-agnostic code can be tested without naming Deno. */
export const test: typeof Deno.test = Deno.test;

/** Asserts that `actual` deep-equals `expected`. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Asserts that `actual` is not deep-equal to `expected`. */
export function assertNotEquals(actual: unknown, expected: unknown, message?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message);
}

/** Asserts that `value` is truthy. */
export function assert(value: unknown, message?: string): asserts value {
  nodeAssert.ok(value, message);
}

/** Asserts that `actual` matches `pattern`. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  nodeAssert.match(actual, pattern, message);
}

/** Asserts that `fn` throws; returns the error for further checks. */
export function assertThrows(fn: () => unknown, message?: string): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new nodeAssert.AssertionError({ message: message ?? "Expected function to throw" });
}

/** Asserts that `fn` rejects; returns the error for further checks. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  message?: string,
): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new nodeAssert.AssertionError({ message: message ?? "Expected promise to reject" });
}

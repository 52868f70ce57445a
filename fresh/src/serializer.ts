/**
 * Island props → the JSON state embedded in the page. Only JSON-safe values cross to the browser;
 * anything else fails loudly with the island and the prop named, instead of arriving changed
 * (a `Date` would become a string, a `Map` an empty object, a function would vanish).
 *
 * @module
 */

/** A prop that cannot be sent to the browser. */
export class IslandPropsError extends TypeError {
  /** The island's name, e.g. `Counter`. */
  readonly island: string;
  /** The path of the bad value, e.g. `items[2].when`. */
  readonly prop: string;

  constructor(island: string, prop: string, reason: string) {
    super(`Cannot serialize prop "${prop}" of island "${island}": ${reason}`);
    this.name = "IslandPropsError";
    this.island = island;
    this.prop = prop;
  }
}

/**
 * Checks that `props` only holds JSON-safe values: null, booleans, finite or non-finite numbers
 * (the latter become null, as in Fresh), strings, plain arrays and plain objects, without
 * cycles. `undefined` object fields are dropped by JSON and allowed.
 *
 * @throws {IslandPropsError} naming the island and the first bad prop
 */
export function assertSerializable(island: string, props: Record<string, unknown>): void {
  const stack = new Set<unknown>();
  const visit = (value: unknown, path: string): void => {
    const fail = (reason: string) => new IslandPropsError(island, path, reason);
    if (value === null || ["string", "number", "boolean", "undefined"].includes(typeof value)) {
      return;
    }
    if (typeof value === "function") throw fail("functions cannot be sent to the browser");
    if (typeof value !== "object") throw fail(`a ${typeof value} is not JSON-safe`);
    const object = value as Record<string, unknown>;
    if (isVNode(object)) {
      throw fail("JSX cannot be passed to an island; render it inside the island instead");
    }
    const proto = Object.getPrototypeOf(object);
    if (!Array.isArray(object) && proto !== Object.prototype && proto !== null) {
      const kind = object.constructor?.name ?? "a class";
      throw fail(`${kind} is not JSON-safe; pass a string, number or plain object instead`);
    }
    if (stack.has(object)) throw fail("the value is circular");
    stack.add(object);
    if (Array.isArray(object)) object.forEach((item, i) => visit(item, `${path}[${i}]`));
    else for (const key of Object.keys(object)) visit(object[key], `${path}.${key}`);
    stack.delete(object);
  };
  for (const key of Object.keys(props)) visit(props[key], key);
}

function isVNode(value: Record<string, unknown>): boolean {
  // Preact marks vnodes with `constructor: undefined` on a plain object.
  return "type" in value && "props" in value && value.constructor === undefined;
}

/** Escapes what would end or confuse an inline `<script>`: `<`, `>`, U+2028 and U+2029. */
export function escapeScriptJson(json: string): string {
  return json.replace(/[<>\u2028\u2029]/g, (char) => {
    return "\\u" + char.charCodeAt(0).toString(16).padStart(4, "0");
  });
}

/**
 * The body of the `__FRSH_STATE_…` script: `{"v":[islandProps, pluginStates]}` as in Fresh 1.x,
 * escaped for inline embedding.
 */
export function serializeState(islandProps: unknown[]): string {
  return escapeScriptJson(JSON.stringify({ v: [islandProps, []] }));
}

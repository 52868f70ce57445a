/**
 * File name → URL pattern rules of Fresh 1.x (`pathToPattern`), route precedence and conflict
 * detection. Pure functions: shared by the manifest generator and the router.
 *
 * @module
 */

/** Characters that make a pattern need `URLPattern` instead of an exact string match. */
const PATTERN_CHARS = /[*:{}+?()\\]/;

/**
 * Turns a route path relative to `routes/`, without extension (`"blog/[id]"`), into a URLPattern
 * pathname (`"/blog/:id"`). `index` is dropped, `(group)` folders vanish, `[...rest]` becomes
 * `:rest*` and `[[opt]]` becomes `{/:opt}?`.
 *
 * @example
 * ```ts
 * import { pathToPattern } from "./route_pattern.ts";
 * if (pathToPattern("docs/[...path]") !== "/docs/:path*") throw new Error("unexpected");
 * ```
 */
export function pathToPattern(path: string): string {
  const parts = path.split("/").filter((part) => part !== "");
  if (parts.at(-1) === "index") parts.pop();
  let route = "";
  for (const part of parts) {
    if (isGroup(part)) continue;
    const rest = /^\[\.\.\.([A-Za-z_$][\w$]*)\]$/.exec(part);
    if (rest) {
      route += `/:${rest[1]}*`;
      continue;
    }
    const optional = /^\[\[([A-Za-z_$][\w$]*)\]\]$/.exec(part);
    if (optional) {
      route += `{/:${optional[1]}}?`;
      continue;
    }
    if (part.includes("[[")) {
      throw new SyntaxError(
        `Invalid route path "${path}": an optional parameter must be a whole segment`,
      );
    }
    if (part.includes("][")) {
      throw new SyntaxError(
        `Invalid route path "${path}": two parameters need a character between them`,
      );
    }
    route += "/" + segmentToPattern(part, path);
  }
  return route === "" ? "/" : route;
}

function segmentToPattern(part: string, path: string): string {
  let out = "";
  let rest = part;
  while (rest !== "") {
    const open = rest.indexOf("[");
    if (open === -1) {
      out += escapeLiteral(rest);
      break;
    }
    const close = rest.indexOf("]", open);
    const name = close === -1 ? "" : rest.slice(open + 1, close);
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) {
      throw new SyntaxError(`Invalid route path "${path}": "${part}" has a malformed parameter`);
    }
    out += escapeLiteral(rest.slice(0, open)) + ":" + name;
    rest = rest.slice(close + 1);
  }
  return out;
}

/** Escapes URLPattern syntax in literal text (`a+b.txt` must match itself). */
function escapeLiteral(text: string): string {
  return text.replace(/[*:{}+?()\\]/g, (char) => "\\" + char);
}

/** Returns true when `pattern` needs URLPattern; otherwise it is matched as an exact string. */
export function isDynamicPattern(pattern: string): boolean {
  return PATTERN_CHARS.test(pattern);
}

/**
 * Text that every pathname a dynamic pattern matches must start and end with: literal ASCII
 * before the first token, and, for patterns made only of literals and plain `:name` parameters,
 * literal ASCII after the last one. The router checks these with `startsWith`/`endsWith` before
 * calling `URLPattern.exec()`, which costs a native call per route tried.
 *
 * @example
 * ```ts
 * import { literalBounds } from "./route_pattern.ts";
 * const { prefix, suffix } = literalBounds("/runs/:id/commit");
 * if (prefix !== "/runs" || suffix !== "/commit") throw new Error("unexpected");
 * ```
 */
export function literalBounds(pattern: string): { prefix: string; suffix: string } {
  // Letters, digits, `/`, `_`, `~` and `-` match themselves; `.` (dot segments), `%` and
  // non-ASCII text are canonicalised by URLPattern, so the bounds stop before them.
  const stop = pattern.search(/[^A-Za-z0-9/_~-]/);
  let prefix = stop === -1 ? pattern : pattern.slice(0, stop);
  // A `/` before a parameter belongs to it and goes with it when it is optional (`/a/:b?`).
  if (stop !== -1 && prefix.endsWith("/")) prefix = prefix.slice(0, -1);
  let suffix = "";
  if (/^[\x20-\x7e]*$/.test(pattern) && !/[(){}*+?\\]/.test(pattern)) {
    const names = [...pattern.matchAll(/:[A-Za-z_$][\w$]*/g)];
    const last = names.at(-1);
    const tail = last ? pattern.slice(last.index + last[0].length) : "";
    suffix = tail.slice(tail.search(/[A-Za-z0-9/_~-]*$/));
  }
  return { prefix, suffix };
}

/**
 * A RegExp that matches exactly the pathnames `new URLPattern({ pathname: pattern })` matches,
 * with the parameters as named groups, for the patterns file names produce without catch-alls
 * or optional parts: ASCII literals and `:name` parameters (`/runs/:id/errors.csv`). Returns null
 * for any other pattern, which keeps URLPattern. A RegExp runs in JavaScript; `URLPattern.exec()`
 * costs a native call and an input canonicalisation per route tried.
 *
 * @example
 * ```ts
 * import { compileSimplePattern } from "./route_pattern.ts";
 * const re = compileSimplePattern("/runs/:id")!;
 * if (re.exec("/runs/42")?.groups?.id !== "42") throw new Error("unexpected");
 * ```
 */
export function compileSimplePattern(pattern: string): RegExp | null {
  // Letters, digits, `/`, `_`, `~`, `-` and `.` are literal in both; `.` only inside a segment
  // (`.` and `..` segments are dot segments), and parameters never touch each other.
  if (!/^\/(?:[A-Za-z0-9/_~.-]|:[A-Za-z_$][\w$]*(?![\w$:]))*$/.test(pattern)) return null;
  if (/\/\.{1,2}(?:\/|$)/.test(pattern)) return null;
  const names = new Set<string>();
  let source = "^";
  let end = 0;
  for (const param of pattern.matchAll(/:([A-Za-z_$][\w$]*)/g)) {
    if (names.has(param[1])) return null;
    names.add(param[1]);
    source += pattern.slice(end, param.index).replaceAll(".", "\\.") + `(?<${param[1]}>[^/]+?)`;
    end = param.index + param[0].length;
  }
  return new RegExp(source + pattern.slice(end).replaceAll(".", "\\.") + "$");
}

/** Returns true for a route group folder name such as `(marketing)`. */
export function isGroup(segment: string): boolean {
  return segment.startsWith("(") && segment.endsWith(")");
}

/**
 * Ranks one path segment: lower ranks match first. Special `_` files come before routes, static
 * names before `[param]`, `[param]` before `[[optional]]`, and `[...rest]` last.
 */
function segmentRank(segment: string): number {
  if (segment.startsWith("_middleware")) return 0;
  if (segment.startsWith("_")) return 1;
  if (segment.startsWith("[...")) return 5;
  if (segment.startsWith("[[")) return 4;
  if (segment.includes("[")) return segment.startsWith("[") ? 3 : 2.5;
  return 2;
}

/**
 * Compares two route paths (relative to `routes/`, extension optional) so that sorting puts the
 * most specific first: segment by segment, static > `[param]` > `[...rest]`. Group folders are
 * ignored; ties fall back to plain string order so the result is deterministic.
 */
export function compareRoutePaths(a: string, b: string): number {
  const as = a.split("/").filter((s) => s !== "" && !isGroup(s));
  const bs = b.split("/").filter((s) => s !== "" && !isGroup(s));
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const diff = segmentRank(as[i]) - segmentRank(bs[i]);
    if (diff !== 0) return diff;
  }
  if (as.length !== bs.length) {
    // A catch-all that ends here also matches longer paths, so the longer specific path wins.
    const shorter = as.length < bs.length ? as : bs;
    const endsInRest = shorter.length > 0 && segmentRank(shorter.at(-1)!) === 5;
    if (endsInRest) return as.length < bs.length ? 1 : -1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Finds route files that would answer the same URL pattern (`a.ts` + `a.tsx`, `a.tsx` +
 * `a/index.tsx`, `(g)/a.tsx` + `a.tsx`) and throws one error naming both files.
 *
 * @param files route file keys such as `./routes/a.tsx`, special `_` files included
 * @throws {Error} "Route conflict detected" when two files share a pattern
 */
export function assertNoRouteConflicts(files: string[]): void {
  const seen = new Map<string, string>();
  for (const file of files) {
    const path = stripRoutePath(file);
    const base = path.split("/").at(-1)!;
    // Layouts and middleware may repeat per folder; only pages compete for a URL.
    const key = base.startsWith("_") ? `special:${path}` : `route:${pathToPattern(path)}`;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new Error(
        `Route conflict detected: "${other}" and "${file}" both answer ` +
          `"${key.slice(key.indexOf(":") + 1)}"; rename or remove one of them`,
      );
    }
    seen.set(key, file);
  }
}

/** `./routes/blog/[id].tsx` → `blog/[id]`. */
export function stripRoutePath(file: string): string {
  return file.replace(/^\.?\/?routes\//, "").replace(/\.[jt]sx?$/, "");
}

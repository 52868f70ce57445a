/**
 * {@linkcode renderShared}: `ctx.render(data)` for pages that are the same for everybody without
 * a session, rendered once per distinct input instead of once per request.
 *
 * A page's HTML is a function of the URL, the principal (the `_app` shell) and `data`; the key
 * is all three, so an answer is only reused for exactly the same inputs. Requests signed in with
 * a session cookie are never cached: their pages carry the user's name and anti-CSRF token.
 *
 * @module
 */
import type { FreshContext } from "$fresh/server.ts";
import type { Principal } from "./auth/principal.ts";

/** Distinct pages kept; the least recently used one goes first. */
export const SHARED_RENDER_LIMIT = 256;

interface Rendered {
  body: string;
  status: number;
  headers: [string, string][];
}

const rendered = new Map<string, Rendered>();

/**
 * Renders the page with `data` (JSON-safe) and `status`, or answers the HTML rendered before for
 * the same URL, principal, data and status. Use only for pages that read nothing else: no clock,
 * no per-request state, no headers of their own.
 */
export async function renderShared(
  ctx: FreshContext<{ principal: Principal | null }>,
  data: unknown,
  status = 200,
): Promise<Response> {
  const principal = ctx.state.principal;
  if (principal === null || principal.via === "session") return await ctx.render(data, { status });
  const key = JSON.stringify([
    ctx.url.pathname,
    ctx.url.search,
    principal.via,
    principal.name,
    principal.role,
    status,
    data,
  ], frozenAsId);
  let page = rendered.get(key);
  if (page) {
    // Most recently used last: Map keeps insertion order.
    rendered.delete(key);
  } else {
    const res = await ctx.render(data, { status });
    page = { body: await res.text(), status: res.status, headers: [...res.headers] };
    if (rendered.size >= SHARED_RENDER_LIMIT) rendered.delete(rendered.keys().next().value!);
  }
  rendered.set(key, page);
  return new Response(page.body, { status: page.status, headers: page.headers });
}

const frozenIds = new WeakMap<object, number>();
let lastFrozenId = 0;

/**
 * Writes a deeply frozen object (an upload type: `ResolvedUploadType`) into the key as a number
 * of its own instead of its whole JSON, which would cost more than the rest of the request.
 * Such an object can never change, so its identity stands for its content.
 */
function frozenAsId(_key: string, value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  let id = frozenIds.get(value);
  if (id === undefined) {
    if (!isDeeplyFrozen(value)) return value;
    frozenIds.set(value, id = ++lastFrozenId);
  }
  // A property name no JSON-safe page data uses, so a token never equals real data.
  return { "\u0000frozen": id };
}

function isDeeplyFrozen(value: object, seen = new Set<object>()): boolean {
  if (!Object.isFrozen(value)) return false;
  if (seen.has(value)) return true;
  seen.add(value);
  return Object.values(value).every((v) =>
    typeof v !== "object" || v === null || isDeeplyFrozen(v, seen)
  );
}

/** Forgets every cached page (tests). */
export function clearSharedRenders(): void {
  rendered.clear();
}

/**
 * Creates the per-request {@linkcode FreshContext}. The pipeline fills in `params`, `route` and
 * the functions as the request moves through middleware to its route.
 *
 * @module
 */
import type { Destination, FreshContext, ResolvedFreshConfig } from "./types.ts";

/** Stands in for the peer address when a handler is called without connection info (tests). */
const NO_ADDR: Deno.NetAddr = Object.freeze({ transport: "tcp", hostname: "0.0.0.0", port: 0 });

const Empty = () => null;

function unavailable(what: string): () => Promise<Response> {
  return () => Promise.reject(new Error(`${what} is not available at this point of the request`));
}

/** A context with empty params and state; `render`, `next` and friends fail until set. */
export function createContext(
  url: URL,
  config: ResolvedFreshConfig,
  destination: Destination,
  remoteAddr?: Deno.Addr,
): FreshContext {
  return {
    url,
    params: {},
    state: {},
    route: "",
    pattern: "",
    basePath: "",
    remoteAddr: remoteAddr ?? NO_ADDR,
    isPartial: false,
    destination,
    config,
    data: undefined,
    error: undefined,
    Component: Empty,
    render: unavailable("ctx.render()"),
    renderNotFound: unavailable("ctx.renderNotFound()"),
    next: unavailable("ctx.next()"),
  };
}

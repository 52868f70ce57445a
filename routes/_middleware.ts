import type { FreshContext } from "$fresh/server.ts";
import { type AppState, currentServices } from "../server/services.ts";

/** Hands the process's services to every route through `ctx.state`. */
export function handler(_req: Request, ctx: FreshContext<AppState>): Promise<Response> {
  ctx.state.services = currentServices();
  return ctx.next();
}

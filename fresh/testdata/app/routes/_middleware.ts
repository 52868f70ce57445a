import type { FreshContext } from "$fresh/server.ts";

/** Starts the trail that inner middleware extends, and tags every response (route pattern too). */
export async function handler(_req: Request, ctx: FreshContext<{ trail: string[] }>) {
  ctx.state.trail = ["root"];
  const res = await ctx.next();
  res.headers.set("x-root-middleware", ctx.destination);
  res.headers.set("x-route", ctx.route);
  return res;
}

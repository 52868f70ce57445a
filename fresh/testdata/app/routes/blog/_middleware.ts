import type { FreshContext } from "$fresh/server.ts";

type Ctx = FreshContext<{ trail: string[] }>;

/** Two middlewares in one file run in array order. */
export const handler = [
  (_req: Request, ctx: Ctx) => {
    ctx.state.trail.push("blog-a");
    return ctx.next();
  },
  (_req: Request, ctx: Ctx) => {
    ctx.state.trail.push("blog-b");
    return ctx.next();
  },
];

import type { RouteContext } from "$fresh/server.ts";

export default async function AsyncPage(req: Request, ctx: RouteContext) {
  await Promise.resolve();
  if (new URL(req.url).searchParams.has("go")) {
    return new Response(null, { status: 303, headers: { location: "/about" } });
  }
  return <h1>async url={ctx.url.pathname}</h1>;
}

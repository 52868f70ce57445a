import type { PageProps, RouteConfig } from "$fresh/server.ts";

export const config: RouteConfig = { routeOverride: "/custom/:thing" };

export default function Override({ params }: PageProps) {
  return <h1>override thing={params.thing}</h1>;
}

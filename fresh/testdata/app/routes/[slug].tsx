import type { PageProps } from "$fresh/server.ts";

export default function Slug({ params, route }: PageProps) {
  return <h1>slug={params.slug} route={route}</h1>;
}

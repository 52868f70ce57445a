import type { PageProps } from "$fresh/server.ts";

export default function Docs({ params }: PageProps) {
  return <h1>docs path=[{params.path}]</h1>;
}

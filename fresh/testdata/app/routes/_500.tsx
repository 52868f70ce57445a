import type { PageProps } from "$fresh/server.ts";

export default function ServerError({ error }: PageProps) {
  return <h1>Custom 500: {error instanceof Error ? error.message : String(error)}</h1>;
}

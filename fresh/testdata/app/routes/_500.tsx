import type { ErrorPageProps } from "$fresh/server.ts";

export default function ServerError({ error }: ErrorPageProps) {
  return <h1>Custom 500: {error instanceof Error ? error.message : String(error)}</h1>;
}

import type { PageProps } from "$fresh/server.ts";

export default function NotFound({ url, data }: PageProps<{ reason?: string } | undefined>) {
  return <h1>Custom 404 for {url.pathname}{data?.reason ? `: ${data.reason}` : ""}</h1>;
}

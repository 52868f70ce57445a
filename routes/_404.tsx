import type { PageProps } from "$fresh/server.ts";

/** The page for unknown addresses, upload types and runs. */
export default function NotFound({ url }: PageProps) {
  return (
    <div class="empty-state">
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{url.pathname}</code>.
      </p>
      <p>
        <a href="/">Back to the upload types</a>
      </p>
    </div>
  );
}

import type { PageProps } from "$fresh/server.ts";
import type { RunError } from "../core/runs/run.ts";

/**
 * The page for unknown addresses, upload types and runs, and (with `data.error`, status set by
 * the root middleware) for other requests a page refuses, such as a malformed query parameter.
 */
export default function NotFound({ url, data }: PageProps<{ error?: RunError } | undefined>) {
  const error = data?.error;
  return (
    <div class="empty-state">
      {error
        ? (
          <>
            <h1>{error.type === "bad_request" ? "Bad request" : "Cannot show this page"}</h1>
            <p role="alert">{error.message}</p>
          </>
        )
        : (
          <>
            <h1>Not found</h1>
            <p>
              Nothing lives at <code>{url.pathname}</code>.
            </p>
          </>
        )}
      <p>
        <a href="/">Back to the upload types</a>
      </p>
    </div>
  );
}

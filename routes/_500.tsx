import type { PageProps } from "$fresh/server.ts";

/** The page shown when a page fails unexpectedly (details go to the log, not the page). */
export default function ServerError(_props: PageProps) {
  return (
    <div class="empty-state">
      <h1>Something went wrong</h1>
      <p>The error was logged. Try again, or go back to the upload types.</p>
      <p>
        <a href="/">Upload types</a>
      </p>
    </div>
  );
}

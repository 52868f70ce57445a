import type { Handler, PageProps } from "$fresh/server.ts";
import { withSecurityHeaders } from "../server/security_headers.ts";

/** Renders the page with the security headers: the error skipped the middleware that sets them. */
export const handler: Handler = async (req, ctx) => withSecurityHeaders(req, await ctx.render());

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

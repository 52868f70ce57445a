import type { PageProps } from "$fresh/server.ts";
import { CsrfField } from "../components/csrf_field.tsx";
import type { AppState } from "../server/services.ts";

/** The HTML shell of every page, with the signed-in user and a sign-out button. */
export default function App({ Component, state }: PageProps<unknown, AppState>) {
  const principal = state.principal;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Intake</title>
        <link rel="stylesheet" href="/styles.css" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <header class="site-header">
          <a class="brand" href="/">
            <span class="brand-mark" aria-hidden="true">⇣</span> Intake
          </a>
          <nav aria-label="Main">
            <a href="/">Upload types</a>
            <a href="/runs">Runs</a>
          </nav>
          {principal?.via === "session" && (
            <form class="account" method="post" action="/logout">
              <CsrfField token={principal.csrfToken} />
              <span class="muted small">
                {principal.name} ({principal.role})
              </span>{" "}
              <button type="submit" class="secondary">Sign out</button>
            </form>
          )}
        </header>
        <main class="page">
          <Component />
        </main>
      </body>
    </html>
  );
}

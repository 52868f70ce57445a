import type { PageProps } from "$fresh/server.ts";

/** The HTML shell of every page. */
export default function App({ Component }: PageProps) {
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
        </header>
        <main class="page">
          <Component />
        </main>
      </body>
    </html>
  );
}

import type { PageProps } from "$fresh/server.ts";

export default function App({ Component, state }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Fixture</title>
        <link rel="stylesheet" href="/styles.css" />
      </head>
      <body data-app={String((state.trail as string[] | undefined)?.length ?? 0)}>
        <Component />
      </body>
    </html>
  );
}

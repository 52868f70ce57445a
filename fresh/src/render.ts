/**
 * Renders a page, `_app(Page)`, to HTML with preact-render-to-string; only when islands rendered
 * does it append their props state and the boot module that loads the client bundle.
 *
 * @module
 */
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import type { ClientBundle } from "./bundle.ts";
import { collectIslands } from "./islands.ts";
import type { AnyComponent } from "./router.ts";
import { serializeState } from "./serializer.ts";
import type { FreshContext } from "./types.ts";

/**
 * Renders `page` inside `app` (or a bare html shell) to a complete HTML response; `bundle` gives
 * the client bundle, built on first use.
 */
export async function renderPage(
  ctx: FreshContext,
  page: AnyComponent,
  app: AnyComponent | undefined,
  init: ResponseInit,
  bundle: () => Promise<ClientBundle>,
): Promise<Response> {
  // Pages and `_app` get the context without its functions (PageProps).
  const { render: _r, renderNotFound: _n, next: _x, ...props } = ctx;
  const Component = () => h(page, props);
  const { result, props: islandProps } = collectIslands(() =>
    renderToString(h(app ?? DefaultShell, { ...props, Component }))
  );
  let html = "<!DOCTYPE html>" + result;
  if (islandProps.length > 0) html = await addIslandScripts(html, islandProps, bundle);

  const headers = new Headers(init.headers);
  if (!headers.has("content-type")) headers.set("content-type", "text/html; charset=utf-8");
  return new Response(html, { status: init.status ?? 200, statusText: init.statusText, headers });
}

function DefaultShell({ Component }: { Component: AnyComponent }) {
  return h(
    "html",
    null,
    h(
      "head",
      null,
      h("meta", { charset: "utf-8" }),
      h("meta", { name: "viewport", content: "width=device-width, initial-scale=1.0" }),
    ),
    h("body", null, h(Component, null)),
  );
}

async function addIslandScripts(
  html: string,
  islandProps: unknown[],
  bundle: () => Promise<ClientBundle>,
): Promise<string> {
  const { mainPath, bootPath } = await bundle();
  // No inline script: boot.js finds the state script itself, so a strict Content-Security-Policy
  // (`script-src 'self'`) needs no nonce.
  const scripts = `<script id="__FRSH_STATE_${crypto.randomUUID()}" type="application/json">` +
    `${serializeState(islandProps)}</script><script type="module" src="${bootPath}"></script>`;
  html = insertBefore(html, HEAD_END, `<link rel="modulepreload" href="${mainPath}">`);
  return insertBefore(html, BODY_END, scripts, true);
}

// Case-insensitive searches instead of a lower-cased copy of the whole page per render.
const HEAD_END = /<\/head>/gi;
const BODY_END = /<\/body>/gi;

/** Inserts `text` before the first (or last) `tag`, or appends it when the tag is absent. */
function insertBefore(html: string, tag: RegExp, text: string, last = false): string {
  tag.lastIndex = 0;
  let at = -1;
  for (let m = tag.exec(html); m; m = last ? tag.exec(html) : null) at = m.index;
  if (at === -1) return last ? html + text : html;
  return html.slice(0, at) + text + html.slice(at);
}

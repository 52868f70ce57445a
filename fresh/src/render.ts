/**
 * Renders a page: `_app( layout_root( … layout_leaf( Page ) ) )` to HTML with
 * preact-render-to-string, then, only when islands rendered, appends their props state and the
 * boot module that loads the client bundle.
 *
 * @module
 */
import { type ComponentChildren, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { ClientBundle } from "./bundle.ts";
import { collectIslands } from "./islands.ts";
import type { AnyComponent, LayoutRoute } from "./routes.ts";
import { serializeState } from "./serializer.ts";
import type { FreshContext, RenderOptions } from "./types.ts";

/** What a page render needs besides the request. */
export interface RenderTarget {
  page: AnyComponent;
  layouts: LayoutRoute[];
  /** `_app`, or null for the default html shell. */
  app: AnyComponent | null;
}

/** What rendering needs from the server: the client bundle (built on first use) and build id. */
export interface RenderEnv {
  bundle: () => Promise<ClientBundle>;
  buildId: string;
}

/** Returns true for `async function` components, which Fresh calls as `(req, ctx)`. */
export function isAsyncComponent(fn: unknown): boolean {
  return typeof fn === "function" && fn.constructor.name === "AsyncFunction";
}

/** The props every page, layout and app receives: the context without its functions. */
export function pageProps(ctx: FreshContext): Record<string, unknown> {
  const { render: _r, renderNotFound: _n, next: _x, ...props } = ctx;
  return props;
}

/**
 * Renders `target` to a complete HTML response. An async page, layout or app may return a
 * `Response`, which is returned as is.
 */
export async function renderPage(
  req: Request,
  ctx: FreshContext,
  target: RenderTarget,
  init: RenderOptions,
  env: RenderEnv,
): Promise<Response> {
  const props = pageProps(ctx);
  const wrappers = [target.app ?? DefaultShell, ...target.layouts.map((l) => l.component)];
  let inner = await renderLevel(req, ctx, props, target.page, null);
  for (const wrapper of wrappers.reverse()) {
    if (inner instanceof Response) return inner;
    const content = inner;
    inner = await renderLevel(req, ctx, props, wrapper, () => content as VNode);
  }
  if (inner instanceof Response) return inner;

  const tree = inner;
  const { result, props: islandProps } = collectIslands(() => renderToString(tree as VNode));
  let html = "<!DOCTYPE html>" + result;
  if (islandProps.length > 0) html = await addIslandScripts(html, islandProps, env);

  const headers = new Headers(init.headers);
  if (!headers.has("content-type")) headers.set("content-type", "text/html; charset=utf-8");
  return new Response(html, { status: init.status ?? 200, statusText: init.statusText, headers });
}

async function renderLevel(
  req: Request,
  ctx: FreshContext,
  props: Record<string, unknown>,
  component: AnyComponent,
  inner: (() => VNode) | null,
): Promise<ComponentChildren | Response> {
  const Component = inner ?? ctx.Component;
  if (isAsyncComponent(component)) {
    // Async components run before the synchronous render, so that render stays synchronous.
    const fn = component as (req: Request, ctx: FreshContext) => Promise<ComponentChildren>;
    return await fn(req, { ...ctx, Component });
  }
  return h(component, { ...props, Component });
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
  env: RenderEnv,
): Promise<string> {
  const { mainPath, bootPath } = await env.bundle();
  const stateId = `__FRSH_STATE_${crypto.randomUUID()}`;
  // No inline script: boot.js reads the state id and build id from the state script, so a strict
  // Content-Security-Policy (`script-src 'self'`) needs no nonce.
  const scripts = `<script id="${stateId}" type="application/json" ` +
    `data-build-id="${escapeAttribute(env.buildId)}">${serializeState(islandProps)}</script>` +
    `<script type="module" src="${bootPath}"></script>`;
  html = insertBefore(html, HEAD_END, `<link rel="modulepreload" href="${mainPath}">`);
  return insertBefore(html, BODY_END, scripts, true);
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
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

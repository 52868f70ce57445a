/**
 * Server side of islands: which components are islands, and a preact `options.vnode` hook that
 * wraps each island in Fresh 1.x comment markers (`<!--frsh-{id}:{index}:{key}-->` … `<!--/…-->`)
 * while collecting its props for the page's state script. An island whose markers the HTML parser
 * would split (an island inside a `<p>`, a `<span>`, a table row…) fails the render.
 *
 * @module
 */
import { type ComponentType, createContext, Fragment, h, options, type VNode } from "preact";
import { useContext } from "preact/hooks";
import { toIdentifier } from "./files.ts";
import { assertSerializable } from "./serializer.ts";

/** One exported function of an island file. */
export interface Island {
  /** Marker id: lowercase name + `_` + lowercase export name (`counter_default`). */
  id: string;
  /** PascalCase name from the file path (`Counter`, `UploadProgress`). */
  name: string;
  exportName: string;
  /** The island file's URL, for the client bundle's imports. */
  url: string;
  component: ComponentType;
}

// deno-lint-ignore no-explicit-any
type AnyComponent = ComponentType<any>;

/** Island components → their wrapper, which renders the markers. */
const wrappers = new Map<AnyComponent, AnyComponent>();
/** Wrappers → their island, to find island vnodes in the diff hook. */
const wrapped = new WeakMap<AnyComponent, Island>();
const InsideIsland = createContext(false);
/** The props of the page being rendered; null outside a page render. */
let collected: unknown[] | null = null;
/** Set while the wrapper creates the real island vnode, which the hook must leave alone. */
let bypass = false;

/** Fresh 1.x island name: path without extension, made an identifier, in PascalCase. */
export function islandName(pathInIslands: string): string {
  const ident = toIdentifier(pathInIslands.replace(/\.[jt]sx?$/, ""));
  return ident[0].toUpperCase() + ident.slice(1);
}

/**
 * Reads `manifest.islands` (every exported function of each file is an island) and registers
 * the components so the render hook recognises them.
 */
export function registerIslands(
  islands: Record<string, Record<string, unknown>>,
  baseUrl: string,
): Island[] {
  installHook();
  const out: Island[] = [];
  for (const [key, module] of Object.entries(islands)) {
    const path = key.replace(/^\.\/(islands\/)?/, "");
    const name = islandName(path);
    for (const [exportName, value] of Object.entries(module)) {
      if (typeof value !== "function") continue;
      const island: Island = {
        id: `${name.toLowerCase()}_${exportName.toLowerCase()}`,
        name,
        exportName,
        url: new URL(key, baseUrl).href,
        component: value as ComponentType,
      };
      // A component shared by two manifests (tests) keeps its first registration.
      if (!wrappers.has(island.component)) wrappers.set(island.component, makeWrapper(island));
      out.push(wrapped.get(wrappers.get(island.component)!)!);
    }
  }
  return out;
}

/**
 * Runs a synchronous render with island collection on. Rendering is synchronous
 * (`renderToString`), so one module-level collector cannot mix two requests.
 */
export function collectIslands<T>(render: () => T): { result: T; props: unknown[] } {
  const previous = collected;
  const props: unknown[] = collected = [];
  try {
    return { result: render(), props };
  } finally {
    collected = previous;
  }
}

/**
 * Elements the HTML parser reshapes when they hold flow content (a `<div>`, a `<dialog>`, a
 * `<form>`): a `<p>` is closed before a block, a table's stray content is moved out of the table,
 * text-only elements keep text. An island's content is whatever its client code renders, so its
 * markers must sit in an element that may hold anything, or they end up in different parents.
 */
export const RESHAPING_PARENTS: ReadonlySet<string> = new Set([
  // Phrasing content only.
  ..."p span a button label h1 h2 h3 h4 h5 h6 em strong small b i u s q code pre kbd samp var"
    .split(" "),
  ..."abbr cite dfn mark sub sup time data output bdi bdo ruby legend summary caption".split(" "),
  // Only certain children: the parser moves or drops anything else.
  ..."table thead tbody tfoot tr colgroup ul ol dl select optgroup datalist".split(" "),
  // Text only.
  ..."option textarea title script style".split(" "),
]);

/** Preact's mangled names for a vnode's parent (set by the renderer) and the diff hook. */
const PARENT = "__";
const BEFORE_DIFF = "__b";

type HookedOptions = typeof options & { [BEFORE_DIFF]?: (vnode: VNode) => void };

let installed = false;

function installHook(): void {
  if (installed) return;
  installed = true;
  const previous = options.vnode;
  options.vnode = (vnode: VNode) => {
    const wrapper = bypass ? undefined : wrappers.get(vnode.type as AnyComponent);
    if (wrapper) vnode.type = wrapper;
    previous?.(vnode);
  };
  const hooked = options as HookedOptions;
  const previousDiff = hooked[BEFORE_DIFF];
  hooked[BEFORE_DIFF] = (vnode: VNode) => {
    if (collected !== null && typeof vnode.type === "function") {
      const island = wrapped.get(vnode.type as AnyComponent);
      if (island) assertFlowParent(island, vnode);
    }
    previousDiff?.(vnode);
  };
}

/**
 * Throws when an island that gets markers (one not inside another island) is rendered in an
 * element of {@linkcode RESHAPING_PARENTS}: its markers would land in different parents after
 * parsing and the island would never hydrate, silently (a Revert button that skips its dialog).
 */
function assertFlowParent(island: Island, vnode: VNode): void {
  let element: string | null = null;
  for (let up = parentOf(vnode); up !== null; up = parentOf(up)) {
    if (typeof up.type === "function" && wrapped.has(up.type as AnyComponent)) return;
    if (element === null && typeof up.type === "string") element = up.type;
  }
  if (element !== null && RESHAPING_PARENTS.has(element)) {
    throw new TypeError(
      `Cannot render island "${island.name}" inside <${element}>: the HTML parser reshapes ` +
        `<${element}> around flow content, so the island's markers would end up in different ` +
        "parents and it would never hydrate; render it in an element that may hold flow " +
        "content (div, section, form, li, td)",
    );
  }
}

function parentOf(vnode: VNode): VNode | null {
  return (vnode as unknown as Record<string, VNode | null | undefined>)[PARENT] ?? null;
}

function plain(component: AnyComponent, props: Record<string, unknown>): VNode {
  bypass = true;
  try {
    return h(component, props);
  } finally {
    bypass = false;
  }
}

/** preact-render-to-string (≥ 6.1) prints a Fragment with `UNSTABLE_comment` as `<!--…-->`. */
function comment(text: string): VNode {
  return h(Fragment, { UNSTABLE_comment: text } as Record<string, unknown>);
}

function makeWrapper(island: Island): AnyComponent {
  const Island = (props: Record<string, unknown>) => {
    const inside = useContext(InsideIsland);
    // Outside a page render, or inside another island, an island is a plain component: the
    // outer island's client code renders it.
    if (collected === null || inside) return plain(island.component, props);
    assertSerializable(island.name, props);
    // Fresh's marker grammar `frsh-{id}:{index}:{key}`; Intake's islands are not keyed.
    const marker = `frsh-${island.id}:${collected.push(props) - 1}:`;
    return h(Fragment, null, [
      comment(marker),
      h(InsideIsland.Provider, { value: true }, plain(island.component, props)),
      comment("/" + marker),
    ]);
  };
  Object.defineProperty(Island, "name", { value: `Island(${island.name})` });
  wrapped.set(Island, island);
  return Island;
}

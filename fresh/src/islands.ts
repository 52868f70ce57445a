/**
 * Server side of islands: which components are islands, and a preact `options.vnode` hook that
 * wraps each island in Fresh 1.x comment markers (`<!--frsh-{id}:{index}:{key}-->` … `<!--/…-->`)
 * while collecting its props for the page's state script.
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

/** Props collected while one page renders. */
export interface IslandCollector {
  props: unknown[];
}

// deno-lint-ignore no-explicit-any
type AnyComponent = ComponentType<any>;

const registry = new Map<AnyComponent, Island>();
const wrappers = new Map<Island, AnyComponent>();
const InsideIsland = createContext(false);
let collector: IslandCollector | null = null;
/** Set while the wrapper creates the real island vnode, which the hook must leave alone. */
let bypass = false;

/** Fresh 1.x island name: path without extension, made an identifier, in PascalCase. */
export function islandName(pathInIslands: string): string {
  const ident = toIdentifier(pathInIslands.replace(/\.[jt]sx?$/, ""));
  return ident.replace(/(^\w|-\w)/g, (s) => s.replace(/-/, "").toUpperCase());
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
      if (!registry.has(island.component)) registry.set(island.component, island);
      out.push(registry.get(island.component)!);
    }
  }
  return out;
}

/**
 * Runs a synchronous render with island collection on. Rendering is synchronous
 * (`renderToString`), so one module-level collector cannot mix two requests.
 */
export function collectIslands<T>(render: () => T): { result: T; props: unknown[] } {
  const previous = collector;
  const current: IslandCollector = { props: [] };
  collector = current;
  try {
    return { result: render(), props: current.props };
  } finally {
    collector = previous;
  }
}

let installed = false;

function installHook(): void {
  if (installed) return;
  installed = true;
  const previous = options.vnode;
  options.vnode = (vnode: VNode) => {
    if (!bypass && typeof vnode.type === "function") {
      const island = registry.get(vnode.type as AnyComponent);
      if (island) vnode.type = wrapperFor(island, vnode.key);
    }
    previous?.(vnode);
  };
}

function wrapperFor(island: Island, key: unknown): AnyComponent {
  if (key !== undefined && key !== null) return makeWrapper(island, String(key));
  let wrapper = wrappers.get(island);
  if (!wrapper) wrappers.set(island, wrapper = makeWrapper(island, ""));
  return wrapper;
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

function makeWrapper(island: Island, key: string): AnyComponent {
  const Island = (props: Record<string, unknown>) => {
    const inside = useContext(InsideIsland);
    // Outside a page render, or inside another island, an island is a plain component: the
    // outer island's client code renders it.
    if (collector === null || inside) return plain(island.component, props);
    assertSerializable(island.name, props);
    const index = collector.props.push(props) - 1;
    const marker = `frsh-${island.id}:${index}:${key}`;
    return h(Fragment, null, [
      comment(marker),
      h(InsideIsland.Provider, { value: true }, plain(island.component, props)),
      comment("/" + marker),
    ]);
  };
  Object.defineProperty(Island, "name", { value: `Island(${island.name})` });
  return Island;
}

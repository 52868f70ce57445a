/**
 * Browser side of islands: finds the `<!--frsh-{id}:{index}:{key}-->` … `<!--/frsh-…-->` marker
 * pairs in the server HTML and renders each island in place with its props from the state script.
 * Bundled once with every island, so the page has a single copy of preact. Each island that renders
 * adds one to `data-frsh-hydrated` on `<html>`, so a test can require every marker pair to hydrate.
 *
 * @module
 */
import { type ComponentType, h, render } from "preact";

const MARKER = /^frsh-([^:]+):(\d+):(.*)$/;

/**
 * Renders every island on the page. Called by `boot.js`, which the page loads as a module.
 *
 * @param islands island components by marker id (`counter_default`)
 * @param stateId the id of the `<script type="application/json">` holding the props
 */
export function revive(islands: Record<string, ComponentType>, stateId: string): void {
  const text = document.getElementById(stateId)?.textContent ?? '{"v":[[]]}';
  const props: Record<string, unknown>[] = JSON.parse(text).v[0];
  walk(document.body, (id, index, start, end) => {
    const component = islands[id];
    if (!component) {
      console.error(`Fresh: no client code for island "${id}"`);
      return;
    }
    // One task per island keeps a long page from blocking input while it hydrates.
    setTimeout(() => {
      try {
        const root = createRootFragment(start.parentNode!, start, end);
        render(h(component, props[index]), root as unknown as Element);
        const html = document.documentElement;
        html.dataset.frshHydrated = String(Number(html.dataset.frshHydrated ?? 0) + 1);
      } catch (err) {
        console.error(`Fresh: island "${id}" failed to hydrate`, err);
      }
    }, 0);
  });
}

type Found = (id: string, index: number, start: Comment, end: Comment) => void;

function walk(parent: Node, found: Found): void {
  let node = parent.firstChild;
  while (node !== null) {
    const match = node.nodeType === Node.COMMENT_NODE ? MARKER.exec((node as Comment).data) : null;
    const end = match ? findEnd(node as Comment) : null;
    if (match && end) {
      found(match[1], Number(match[2]), node as Comment, end);
      // Islands inside this one are plain components of it: skip to the end marker.
      node = end.nextSibling;
      continue;
    }
    if (match) {
      console.error(
        `Fresh: island "${match[1]}" cannot hydrate: its end marker is not beside its start ` +
          "marker (the HTML parser moved content out of its parent element)",
      );
    }
    if (node.nodeType === Node.ELEMENT_NODE) walk(node, found);
    node = node.nextSibling;
  }
}

function findEnd(start: Comment): Comment | null {
  const closing = "/" + start.data;
  for (let node = start.nextSibling; node !== null; node = node.nextSibling) {
    if (node.nodeType === Node.COMMENT_NODE && (node as Comment).data === closing) {
      return node as Comment;
    }
  }
  return null;
}

/**
 * A stand-in parent for preact's `render` that only sees the nodes between two markers, so
 * several islands can share one real parent element. Insertions land before the end marker.
 */
function createRootFragment(parent: Node, start: Comment, end: Comment) {
  return {
    nodeType: 1,
    parentNode: parent,
    nextSibling: null,
    namespaceURI: (parent as Element).namespaceURI,
    ownerDocument: parent.ownerDocument,
    get firstChild() {
      return start.nextSibling === end ? null : start.nextSibling;
    },
    get childNodes() {
      const nodes: Node[] = [];
      for (let node = start.nextSibling; node !== null && node !== end; node = node.nextSibling) {
        nodes.push(node);
      }
      return nodes;
    },
    insertBefore(node: Node, ref: Node | null) {
      return parent.insertBefore(node, ref ?? end);
    },
    appendChild(node: Node) {
      return parent.insertBefore(node, end);
    },
    removeChild(node: Node) {
      return parent.removeChild(node);
    },
    contains(node: Node) {
      return parent.contains(node);
    },
  };
}

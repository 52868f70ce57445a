import { h } from "preact";
import type { PageProps } from "$fresh/server.ts";
import Counter from "../islands/Counter.tsx";

/** A Counter inside the element named by `?in=` (a `<p>` by default). */
export default function MisplacedIsland({ url }: PageProps) {
  const parent = url.searchParams.get("in") ?? "p";
  return <main>{h(parent, null, <Counter start={1} label="misplaced" />)}</main>;
}

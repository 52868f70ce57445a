import { useState } from "preact/hooks";
import { IS_BROWSER } from "$fresh/runtime.ts";

/** A counter: its button is disabled until the island hydrates. */
export default function Counter(props: { start: number; label: string }) {
  const [count, setCount] = useState(props.start);
  return (
    <div class="counter">
      <output>{props.label}: {count}</output>
      <button type="button" disabled={!IS_BROWSER} onClick={() => setCount(count + 1)}>+1</button>
    </div>
  );
}

import { useState } from "preact/hooks";

/** A counter: its button is disabled until the island hydrates. */
export default function Counter(props: { start: number; label: string }) {
  const [count, setCount] = useState(props.start);
  return (
    <div class="counter">
      <output>{props.label}: {count}</output>
      <button
        type="button"
        disabled={typeof document === "undefined"}
        onClick={() => setCount(count + 1)}
      >
        +1
      </button>
    </div>
  );
}

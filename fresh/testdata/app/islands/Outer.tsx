import Counter from "./Counter.tsx";

/** An island that renders another island, which then is a plain component of it. */
export default function Outer(props: { title: string }) {
  return (
    <section class="outer">
      <h2>{props.title}</h2>
      <Counter start={10} label="inner" />
    </section>
  );
}

/** A named export is an island too (id `outer_badge`). */
export function Badge(props: { text: string }) {
  return <mark>{props.text}</mark>;
}

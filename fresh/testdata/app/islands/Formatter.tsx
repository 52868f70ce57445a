/** An island whose props include a function, which cannot reach the browser. */
export default function Formatter(props: { value: number; format: (n: number) => string }) {
  return <span>{props.format(props.value)}</span>;
}

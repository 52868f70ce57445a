import Formatter from "../islands/Formatter.tsx";

export default function BadIsland() {
  return <Formatter value={2} format={(n) => `#${n}`} />;
}

import Counter from "../islands/Counter.tsx";
import Outer, { Badge } from "../islands/Outer.tsx";

/** Text that would end the state script early if it were not escaped. */
const TRICKY = "</script><b>\u2028";

export default function IslandPage() {
  return (
    <main>
      <h1>Islands</h1>
      <Counter start={3} label="clicks" />
      <Outer title="outer" />
      <Badge text={TRICKY} />
    </main>
  );
}

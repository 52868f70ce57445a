/** A co-located component: `(_components)` folders are not routes. */
export function Price(props: { amount: number }) {
  return <b>${props.amount}</b>;
}

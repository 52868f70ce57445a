import type { PageProps } from "$fresh/server.ts";
import { Price } from "./(_components)/price.tsx";

export default function Pricing({ state }: PageProps<unknown, { trail: string[] }>) {
  return (
    <h1>
      Pricing <Price amount={9} /> trail={state.trail.join(">")}
    </h1>
  );
}

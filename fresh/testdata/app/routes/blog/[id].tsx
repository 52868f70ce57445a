import type { Handlers, PageProps } from "$fresh/server.ts";

interface Post {
  id: string;
  trail: string[];
}

export const handler: Handlers<Post, { trail: string[] }> = {
  GET(_req, ctx) {
    ctx.state.trail.push("handler");
    return ctx.render({ id: ctx.params.id, trail: ctx.state.trail });
  },
};

export default function BlogPost({ data }: PageProps<Post>) {
  return <h1>post={data.id} trail={data.trail.join(">")}</h1>;
}

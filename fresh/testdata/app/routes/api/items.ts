import type { Handlers } from "$fresh/server.ts";

export const handler: Handlers = {
  GET() {
    return Response.json({ items: [1, 2] }, { headers: { "x-items": "2" } });
  },
  async POST(req) {
    return Response.json({ received: await req.json() }, { status: 201 });
  },
};

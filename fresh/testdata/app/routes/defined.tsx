import { defineRoute } from "$fresh/server.ts";

export default defineRoute((_req, ctx) => <h1>defined route={ctx.route}</h1>);

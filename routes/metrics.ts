import type { Handlers } from "$fresh/server.ts";
import { CONTENT_TYPE } from "../host/deno/metrics/exposition.ts";
import type { AppState } from "../server/services.ts";

/** `GET /metrics`: every metric in the Prometheus text format 0.0.4. */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const text = await ctx.state.services.metrics.registry.render();
    return new Response(text, {
      headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" },
    });
  },
};

import type { Handlers } from "$fresh/server.ts";
import { checkReadiness } from "../../server/readiness.ts";
import type { AppState } from "../../server/services.ts";

/**
 * `GET /health/ready`: readiness. Runs `services.readinessChecks` (database, migrations,
 * worker, …); 200 when every check passes, 503 naming the failing ones.
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { ready, checks, failing } = await checkReadiness(ctx.state.services.readinessChecks);
    return Response.json(
      { status: ready ? "ok" : "unavailable", checks, failing },
      { status: ready ? 200 : 503, headers: { "cache-control": "no-store" } },
    );
  },
};

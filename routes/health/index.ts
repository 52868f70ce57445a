import type { Handlers } from "$fresh/server.ts";

const STARTED = Date.now();

/**
 * `GET /health`: liveness. The process is up and answering, nothing more: it touches no
 * database, so an outage elsewhere does not get a healthy instance restarted.
 */
export const handler: Handlers = {
  GET() {
    return Response.json(
      { status: "ok", uptimeSeconds: Math.round((Date.now() - STARTED) / 1000) },
      { headers: { "cache-control": "no-store" } },
    );
  },
};

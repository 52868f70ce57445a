import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../server/services.ts";

/** `GET /health`: liveness with the database's status and round-trip time (503 when down). */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { database } = ctx.state.services;
    try {
      const latencyMs = await withTimeout(database.ping(), 2000);
      return Response.json({
        status: "ok",
        database: { status: "up", kind: database.kind, latencyMs: round(latencyMs) },
      });
    } catch (err) {
      return Response.json({
        status: "unavailable",
        database: { status: "down", kind: database.kind, error: String(err) },
      }, { status: 503 });
    }
  },
};

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`No answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

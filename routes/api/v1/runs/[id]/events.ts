import type { Handlers } from "$fresh/server.ts";
import { isFinal, type Run } from "../../../../../core/runs/run.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";

const POLL_MS = 500;
const encoder = new TextEncoder();

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "The run (`event: run`) each time it changes, until it is staged or final",
    responses: { 200: { media: "text/event-stream", description: "Server-Sent Events" } },
  },
} satisfies ApiRoute;

/**
 * `GET /api/v1/runs/{id}/events`: Server-Sent Events with the run (`event: run`) each time it
 * changes, until it is staged or final. The run record is the source of truth, so this works for
 * runs processed by any instance.
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { store } = ctx.state.services;
    let run: Run | null = await requireVisibleRun(ctx.state, ctx.params.id);
    let last = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Set when the client goes away; a read in flight must not touch the stream after that.
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const tick = async () => {
          try {
            run = await store.getRun(ctx.params.id);
          } catch {
            if (!cancelled) timer = setTimeout(tick, POLL_MS * 4);
            return;
          }
          if (cancelled) return;
          if (!run) return controller.close();
          const data = JSON.stringify(run);
          if (data !== last) {
            last = data;
            controller.enqueue(encoder.encode(`event: run\ndata: ${data}\n\n`));
          }
          if (isFinal(run.status) || run.status === "staged") return controller.close();
          timer = setTimeout(tick, POLL_MS);
        };
        tick();
      },
      cancel() {
        cancelled = true;
        clearTimeout(timer);
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  },
};

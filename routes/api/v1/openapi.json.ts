import type { Handlers } from "$fresh/server.ts";
import { z } from "zod";
import manifest from "../../../fresh.gen.ts";
import { type ApiRoute, openApiDocument } from "../../../server/openapi.ts";
import type { AppState } from "../../../server/services.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "This document: every v1 endpoint, its parameters, bodies, answers and error types",
    responses: { 200: z.looseObject({ openapi: z.literal("3.1.0") }).describe("OpenAPI 3.1") },
  },
} satisfies ApiRoute;

// Built on the first request: the manifest imports this module, so it is complete only then.
let document: string | undefined;

/** `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the v1 API. */
export const handler: Handlers<unknown, AppState> = {
  GET() {
    document ??= JSON.stringify(openApiDocument(manifest.routes));
    return new Response(document, {
      headers: { "content-type": "application/json", "cache-control": "no-cache" },
    });
  },
};

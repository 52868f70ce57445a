/**
 * The OpenAPI 3.1 document of the v1 API (`GET /api/v1/openapi.json`), built from what the route
 * modules declare: the path from the file's place under `routes/api/v1/`, the query parameters
 * from `export const query` (the same {@linkcode QuerySpec} `readQuery` reads), and from
 * `export const api` each method's JSON body (the zod schema `readJsonBody` validates), its
 * answers (zod schemas, via `z.toJSONSchema`) and the error types it may answer besides those
 * every route can. Error statuses come from `STATUS_OF`. Nothing is written twice, so the
 * document cannot drift from the handlers; the API tests check every answer against it.
 *
 * @module
 */
import { z } from "zod";
import type { IngestErrorType } from "../core/errors.ts";
import { ErrorObjectSchema } from "./api_schemas.ts";
import { STATUS_OF } from "./http_errors.ts";
import type { QuerySpec } from "./query_params.ts";
import { SESSION_COOKIE } from "./auth/session_cookie.ts";

type JsonSchema = Record<string, unknown>;

/** An answer that is not JSON: its media type and what it holds. */
export interface MediaAnswer {
  readonly media: string;
  readonly description: string;
}

/** One method of a route, as the document describes it. */
export interface ApiOperation {
  readonly summary: string;
  /** The JSON body's schema (what `readJsonBody` validates), or other bodies' media types. */
  readonly body?: z.ZodType | { readonly content: Readonly<Record<string, unknown>> };
  /** Answers by status: a JSON body's schema, or a media type. */
  readonly responses: Readonly<Record<number, z.ZodType | MediaAnswer>>;
  /** Error types this method answers besides those every route may (see {@linkcode errorTypes}). */
  readonly errors?: readonly IngestErrorType[];
}

/** A route module's `export const api`: its methods. */
export type ApiRoute = Readonly<Partial<Record<"GET" | "POST" | "PATCH", ApiOperation>>>;

/** The part of a route module the document reads. */
interface RouteModule {
  readonly api?: ApiRoute;
  readonly query?: QuerySpec;
}

const V1 = "./routes/api/v1/";
const PATH_PARAMS: Record<string, { description: string; errors: IngestErrorType[] }> = {
  id: { description: "A run's id", errors: ["not_found"] },
  type: { description: "An upload type's name", errors: ["unknown_upload_type"] },
  row: {
    description: "A row number of the run (header = 1)",
    errors: ["bad_request", "not_found"],
  },
  n: {
    description: "A suggestion's number (`run.suggestions[].id`)",
    errors: ["bad_request", "not_found"],
  },
};
/** Every route may refuse a caller, lose its database or fail. */
const ALWAYS: IngestErrorType[] = [
  "unauthorized",
  "forbidden",
  "database_unavailable",
  "internal_error",
];

/** The API path of a route file: `./routes/api/v1/runs/[id]/index.ts` → `/api/v1/runs/{id}`. */
export function apiPath(file: string): string {
  const path = file.slice("./routes".length).replace(/\.[jt]sx?$/, "").replace(/\/index$/, "");
  return path.replace(/\[(\w+)\]/g, "{$1}");
}

/** The error types `method` of a route may answer: its own, and those its inputs imply. */
export function errorTypes(
  path: string,
  method: string,
  operation: ApiOperation,
  query: QuerySpec | undefined,
): IngestErrorType[] {
  const types = new Set<IngestErrorType>(ALWAYS);
  if (method !== "GET") types.add("csrf_rejected");
  if (operation.body || (query && Object.keys(query).length > 0)) types.add("bad_request");
  for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
    for (const type of PATH_PARAMS[name]?.errors ?? []) types.add(type);
  }
  for (const type of operation.errors ?? []) types.add(type);
  return [...types].sort((a, b) => STATUS_OF[a] - STATUS_OF[b] || a.localeCompare(b));
}

/**
 * Builds the document from the app's route modules (the Fresh manifest's `routes`); only those
 * under `routes/api/v1/` that declare `api` are in it.
 */
export function openApiDocument(routes: Readonly<Record<string, object>>): JsonSchema {
  const schemas: Record<string, JsonSchema> = { Error: errorSchema(Object.keys(STATUS_OF)) };
  const toSchema: ToSchema = (schema, io) => {
    const { $schema: _, $defs, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" });
    // Shared shapes (`.meta({id})`) become components, referenced from every operation.
    const text = JSON.stringify({ rest, $defs: $defs ?? {} })
      .replaceAll('"#/$defs/', '"#/components/schemas/');
    const out = JSON.parse(text) as { rest: JsonSchema; $defs: Record<string, JsonSchema> };
    Object.assign(schemas, out.$defs);
    return out.rest;
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const file of Object.keys(routes).filter((file) => file.startsWith(V1)).sort()) {
    const { api, query } = routes[file] as RouteModule;
    if (!api) continue;
    const path = apiPath(file);
    paths[path] = Object.fromEntries(
      (Object.entries(api) as [string, ApiOperation][]).map(([method, operation]) => [
        method.toLowerCase(),
        describeOperation(path, method, operation, query, toSchema),
      ]),
    );
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Intake API",
      version: "1",
      description: "Config-driven data imports. Prose and examples: docs/api.md.",
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API token (scripts)" },
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
      },
    },
  };
}

type ToSchema = (schema: z.ZodType, io: "input" | "output") => JsonSchema;

/** One operation: its parameters, body and answers, errors included. */
function describeOperation(
  path: string,
  method: string,
  operation: ApiOperation,
  query: QuerySpec | undefined,
  toSchema: ToSchema,
): JsonSchema {
  const parameters = [
    ...[...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: "path",
      required: true,
      description: PATH_PARAMS[name]?.description,
      schema: { type: "string" },
    })),
    ...Object.entries(query ?? {}).map(([name, param]) => ({
      name,
      in: "query",
      description: `${param.expects[0].toUpperCase()}${param.expects.slice(1)}`,
      schema: param.schema,
    })),
  ];
  const body = operation.body;
  const answers = Object.entries(operation.responses).map(([status, answer]) => [
    status,
    "media" in answer ? { description: answer.description, content: { [answer.media]: {} } } : {
      description: answer.description ?? "OK",
      content: { "application/json": { schema: toSchema(answer, "output") } },
    },
  ]);
  return {
    operationId: operationId(method, path),
    summary: operation.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body && {
      requestBody: "content" in body
        ? { required: true, content: body.content }
        : { content: { "application/json": { schema: toSchema(body, "input") } } },
    }),
    responses: {
      ...Object.fromEntries(answers),
      ...errorResponses(errorTypes(path, method, operation, query)),
    },
  };
}

/** `{"error": {type, message, details}}` with `type` one of `types`. */
function errorSchema(types: string[]): JsonSchema {
  const schema = z.object({ error: ErrorObjectSchema.extend({ type: z.enum(types) }) }).strict();
  const { $schema: _, ...rest } = z.toJSONSchema(schema) as JsonSchema;
  return rest;
}

/** The error answers, one per status, each naming the types it may carry. */
function errorResponses(types: IngestErrorType[]): Record<string, unknown> {
  const byStatus = new Map<number, string[]>();
  for (const type of types) {
    byStatus.set(STATUS_OF[type], [...byStatus.get(STATUS_OF[type]) ?? [], type]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, names]) => [status, {
      description: names.map((name) => `\`${name}\``).join(", "),
      content: {
        "application/json": {
          schema: {
            $ref: "#/components/schemas/Error",
            properties: { error: { properties: { type: { enum: names } } } },
          },
        },
      },
    }]),
  );
}

/** `POST /api/v1/runs/{id}/commit` → `postRunsIdCommit`. */
function operationId(method: string, path: string): string {
  const words = path.slice("/api/v1/".length).split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  return method.toLowerCase() + words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

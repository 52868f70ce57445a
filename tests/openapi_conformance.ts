/**
 * Checks the API's answers against its OpenAPI document (`server/openapi.ts`): the test app's
 * `fetch` and `upload` (tests/app_harness.ts) pass every `/api/v1/` answer through
 * {@linkcode checkAnswer}, so each API test also asserts that what it got is what the document
 * says: a status the operation lists (an error's `type` among those listed for that status), the
 * media type, and a JSON body that its schema accepts (ajv, JSON Schema 2020-12).
 *
 * @module
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import manifest from "../fresh.gen.ts";
import { openApiDocument } from "../server/openapi.ts";

type Json = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
}

/** The document the app serves, built once per test process. */
export const document: Json = openApiDocument(manifest.routes);

const DOC_ID = "openapi.json";
// Not strict: the document's other keys (`openapi`, `paths`…) are not JSON Schema keywords.
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(document, DOC_ID);
const validators = new Map<string, ValidateFunction>();
const templates = Object.keys(document.paths as Json).map((path) => ({
  path,
  pattern: new URLPattern({ pathname: path.replace(/\{(\w+)\}/g, ":$1") }),
}));

/** A JSON pointer segment (RFC 6901), URI-encoded for a `$ref`. */
function pointer(...segments: string[]): string {
  return segments.map((s) => encodeURIComponent(s.replaceAll("~", "~0").replaceAll("/", "~1")))
    .join("/");
}

/**
 * Throws when `res`, the answer to `method` on `url`, is not what the document says; answers
 * outside `/api/v1/` pass. Reads a clone of the body, so the caller can still read it.
 */
export async function checkAnswer(method: string, url: string, res: Response): Promise<Response> {
  method = method.toUpperCase();
  const { pathname } = new URL(url);
  if (!pathname.startsWith("/api/v1/") || method === "HEAD") return res;
  const where = `${method} ${pathname} answered ${res.status}`;
  const template = templates.find((t) => t.pattern.test({ pathname }))?.path;
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const operation = template ? paths[template][method.toLowerCase()] : undefined;
  // An endpoint the document does not have may only answer the API's error shape.
  const ref = operation
    ? `${DOC_ID}#/${
      pointer("paths", template!, method.toLowerCase(), "responses", `${res.status}`)
    }`
    : `${DOC_ID}#/components/schemas/Error`;
  if (operation && !operation.responses[res.status]) {
    const listed = Object.keys(operation.responses).join(", ");
    throw new Error(`${where}, which the OpenAPI document does not list (${listed})`);
  }
  const content = operation?.responses[res.status].content ?? { "application/json": {} };
  const media = Object.keys(content)[0];
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith(media)) {
    throw new Error(`${where} with content-type "${type}", the OpenAPI document says ${media}`);
  }
  if (media !== "application/json") return res;
  const schemaRef = operation ? `${ref}/${pointer("content", media, "schema")}` : ref;
  let validate = validators.get(schemaRef);
  if (!validate) {
    validate = ajv.compile({ $ref: schemaRef });
    validators.set(schemaRef, validate);
  }
  const body = await res.clone().json();
  if (!validate(body)) {
    const errors = ajv.errorsText(validate.errors, { separator: "; " });
    const shown = JSON.stringify(body).slice(0, 500);
    throw new Error(`${where} with a body the OpenAPI document refuses: ${errors}; body: ${shown}`);
  }
  return res;
}

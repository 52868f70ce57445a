/**
 * Reading a small JSON request body against a zod schema, with `bad_request` errors that say
 * what was expected.
 *
 * @module
 */
import type { z } from "zod";
import { IngestError } from "../core/errors.ts";

/**
 * Parses the body as JSON and validates it with `schema`; an empty body counts as `{}`.
 * `expected` is shown in the error (e.g. `{"excludeRows": [row numbers]}`).
 */
export async function readJsonBody<T extends z.ZodType>(
  req: Request,
  schema: T,
  expected: string,
): Promise<z.output<T>> {
  const text = await req.text();
  let parsed: unknown = {};
  if (text.trim() !== "") {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new IngestError("bad_request", "The request body is not valid JSON", {});
    }
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new IngestError("bad_request", `Expected ${expected}`, {
      issues: result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
    });
  }
  return result.data;
}

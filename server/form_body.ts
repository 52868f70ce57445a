/**
 * Reading a page's form post (`application/x-www-form-urlencoded` or `multipart/form-data`), with
 * a `bad_request` when the body is not one: a page's 400, never a `TypeError` on the 500 page.
 *
 * @module
 */
import { IngestError } from "../core/errors.ts";

/** The request's form fields; throws `bad_request` when the body is not a form. */
export async function readFormBody(req: Request): Promise<FormData> {
  try {
    return await req.formData();
  } catch {
    throw new IngestError(
      "bad_request",
      "The request body is not a form: send application/x-www-form-urlencoded or multipart/form-data",
      { contentType: req.headers.get("content-type") },
    );
  }
}

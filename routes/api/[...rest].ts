import { IngestError } from "../../core/errors.ts";

/** Unknown API paths answer in the API's error shape, not with the HTML 404 page. */
export function handler(req: Request): Response {
  const path = new URL(req.url).pathname;
  throw new IngestError("not_found", `No API endpoint at "${path}"`, { path });
}

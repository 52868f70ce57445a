/**
 * gzip for text responses, so pages, the island bundle, JSON and CSV exports cross slow links
 * far from the server in a fraction of the bytes. Edge platforms that compress on their own see
 * `Content-Encoding` already set and leave the body alone.
 *
 * @example
 * ```ts
 * import { compress } from "./compress.ts";
 * const req = new Request("http://localhost/", { headers: { "accept-encoding": "gzip" } });
 * const res = compress(req, new Response("x".repeat(2000), { headers: { "content-type": "text/html" } }));
 * if (res.headers.get("content-encoding") !== "gzip") throw new Error("expected gzip");
 * ```
 *
 * @module
 */

const COMPRESSIBLE = /^(text\/(?!event-stream)|application\/(json|javascript|xml)|image\/svg\+xml)/;
/** Below this, gzip's header and the CPU cost outweigh the saving. */
const MIN_BYTES = 1024;

/** Returns `res` with a gzip-compressed body when the client accepts it and it is worth it. */
export function compress(req: Request, res: Response): Response {
  const headers = res.headers;
  const length = Number(headers.get("content-length") ?? Infinity);
  // `res.body` last: reading it turns a string body into a stream, which Deno then sends through
  // its slower streaming path even when nothing is compressed.
  if (
    req.method === "HEAD" || res.status < 200 || res.status === 204 ||
    res.status === 206 || headers.has("content-encoding") || length < MIN_BYTES ||
    !/\bgzip\b/.test(req.headers.get("accept-encoding") ?? "") ||
    /\bno-transform\b/.test(headers.get("cache-control") ?? "") ||
    !COMPRESSIBLE.test(headers.get("content-type") ?? "") || !res.body
  ) return res;
  const out = new Headers(headers);
  out.set("content-encoding", "gzip");
  out.delete("content-length");
  out.append("vary", "Accept-Encoding");
  // The bytes on the wire differ from the representation the strong validator names.
  const etag = out.get("etag");
  if (etag && !etag.startsWith("W/")) out.set("etag", `W/${etag}`);
  return new Response(res.body.pipeThrough(new CompressionStream("gzip")), {
    status: res.status,
    statusText: res.statusText,
    headers: out,
  });
}

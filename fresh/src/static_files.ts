/**
 * Serves `static/` at `/` with content types and a content-hash ETag (304 on `If-None-Match`).
 * Only files found by walking the folder at start-up are served, which rules out path traversal
 * and symlinks leading out of the folder by construction.
 *
 * @module
 */
import { extname, relative, sep } from "node:path";
import { hexDigest, listFiles } from "./files.ts";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/** One-year caching for URLs whose name changes with their content. */
export const IMMUTABLE = "public, max-age=31536000, immutable";

/** The files of one static folder, by URL path (decoded). */
export class StaticFiles {
  #files: Map<string, string>;

  private constructor(files: Map<string, string>) {
    this.#files = files;
  }

  /** Walks `dir` (missing is fine: nothing is served). Symlinks are not followed. */
  static async open(dir: string): Promise<StaticFiles> {
    const files = await listFiles(dir);
    return new StaticFiles(
      new Map(files.map((f) => ["/" + relative(dir, f).split(sep).join("/"), f])),
    );
  }

  /** Returns true when `pathname` (as in the URL, percent-encoded) names a static file. */
  has(pathname: string): boolean {
    return this.#files.has(decodePath(pathname));
  }

  /** Answers GET or HEAD for a file that {@linkcode StaticFiles.has}; null when it is gone. */
  async serve(req: Request, url: URL): Promise<Response | null> {
    const file = this.#files.get(decodePath(url.pathname));
    const bytes = file && await Deno.readFile(file).catch(() => null);
    if (!file || !bytes) return null;
    // Static files are small (a style sheet, an icon): hashing them per request costs little.
    const etag = `"${await hexDigest("SHA-1", bytes)}"`;
    const headers = new Headers({
      "content-type": CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
      etag,
      "cache-control": "no-cache",
      vary: "accept-encoding",
    });
    if (matchesEtag(req.headers.get("if-none-match"), etag)) {
      return new Response(null, { status: 304, headers });
    }
    headers.set("content-length", String(bytes.byteLength));
    return new Response(req.method === "HEAD" ? null : bytes, { headers });
  }
}

function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return "";
  }
}

/** `If-None-Match` holds a list of tags or `*`; weak comparison, as RFC 9110 asks for GET. */
export function matchesEtag(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === "*") return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => bare(tag) === bare(etag));
}

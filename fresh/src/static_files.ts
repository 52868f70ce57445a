/**
 * Serves `static/` at `/`: content types and a content-hash ETag with 304 answers. Only files found by walking the folder at start-up are served,
 * which rules out path traversal and symlinks leading out of the folder by construction.
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

/** The content type for a file name, `application/octet-stream` when unknown. */
export function contentType(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? "application/octet-stream";
}

interface Entry {
  file: string;
  etag?: { key: string; value: string };
}

/** The files of one static folder, by URL path. */
export class StaticFiles {
  #files: Map<string, Entry>;

  private constructor(files: Map<string, Entry>) {
    this.#files = files;
  }

  /** Walks `dir` (missing is fine: nothing is served). Symlinks are not followed. */
  static async open(dir: string): Promise<StaticFiles> {
    const files = new Map<string, Entry>();
    for (const file of await listFiles(dir)) {
      files.set("/" + relative(dir, file).split(sep).join("/"), { file });
    }
    return new StaticFiles(files);
  }

  /** Returns true when `pathname` (as in the URL, percent-encoded) names a static file. */
  has(pathname: string): boolean {
    return this.#files.has(decodePath(pathname) ?? "");
  }

  /** Answers GET or HEAD for a file that {@linkcode StaticFiles.has}; null otherwise. */
  async serve(req: Request, url: URL): Promise<Response | null> {
    const entry = this.#files.get(decodePath(url.pathname) ?? "");
    if (!entry || (req.method !== "GET" && req.method !== "HEAD")) return null;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(entry.file);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
    const stat = await file.stat();
    const etag = await etagOf(entry, stat);
    const headers = new Headers({
      "content-type": contentType(entry.file),
      "etag": etag,
      "cache-control": "no-cache",
      "vary": "accept-encoding",
    });
    if (matchesEtag(req.headers.get("if-none-match"), etag)) {
      file.close();
      return new Response(null, { status: 304, headers });
    }
    headers.set("content-length", String(stat.size));
    if (req.method === "HEAD") {
      file.close();
      return new Response(null, { headers });
    }
    return new Response(file.readable, { headers });
  }
}

function decodePath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

/** SHA-1 of the content, recomputed only when size or modification time change. */
async function etagOf(entry: Entry, stat: Deno.FileInfo): Promise<string> {
  const key = `${stat.size}:${stat.mtime?.getTime()}`;
  if (entry.etag?.key !== key) {
    entry.etag = { key, value: `"${await hexDigest("SHA-1", await Deno.readFile(entry.file))}"` };
  }
  return entry.etag.value;
}

/** `If-None-Match` holds a list of tags or `*`; weak comparison, as RFC 9110 asks for GET. */
export function matchesEtag(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === "*") return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => bare(tag) === bare(etag));
}

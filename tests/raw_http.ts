/**
 * A raw HTTP/1.1 exchange over TCP, for requests `fetch` will not send (a malformed `Host`).
 *
 * @module
 */

/** What came back: the status, lower-cased headers and the body text. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** Writes `head` (request line and headers, without the blank line) and reads the answer. */
export async function rawRequest(port: number, head: string): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(`${head}\r\nConnection: close\r\n\r\n`));
    const text = await new Response(conn.readable).text();
    const [top, ...rest] = text.split("\r\n\r\n");
    const [statusLine, ...lines] = top.split("\r\n");
    const headers = new Headers();
    for (const line of lines) {
      const at = line.indexOf(":");
      headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
    }
    return { status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") };
  } finally {
    try {
      conn.close();
    } catch {
      // Closed already, by reading its stream to the end.
    }
  }
}

/**
 * The TCP connection for postgres.js, with Nagle's algorithm off. postgres.js never sets
 * `TCP_NODELAY`, so a COPY's last data message and its CopyDone sit in the kernel until the
 * server's delayed ACK arrives: 86 ms per small COPY measured here, 0.6 ms with it off. Every
 * upload stages through COPY, so that stall was most of a small upload's time.
 *
 * @module
 */
import net from "node:net";

/** The part of postgres.js's parsed options a socket needs. */
export interface SocketTarget {
  host: string[];
  port: number[];
}

/**
 * Returns postgres.js's `socket` option: connects to the first host with `TCP_NODELAY` set, and
 * fails with `CONNECT_TIMEOUT` after `timeoutSeconds` (postgres.js times only its own connects).
 */
export function noDelaySocket(
  timeoutSeconds: number,
): (target: SocketTarget) => Promise<net.Socket> {
  return (target) =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: target.host[0], port: target.port[0] });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`connect timed out after ${timeoutSeconds} s`), {
          code: "CONNECT_TIMEOUT",
        }));
      }, timeoutSeconds * 1000);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.off("error", onError);
        resolve(socket);
      });
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once("error", onError);
    });
}

/**
 * True when `url` names one TCP host, the case {@linkcode noDelaySocket} handles; a Unix socket
 * (`?host=/run/postgresql`) or a list of hosts is left to postgres.js.
 */
export function isSingleTcpHost(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.hostname !== "" && !parsed.host.includes(",") &&
      !parsed.searchParams.has("host");
  } catch {
    return false;
  }
}

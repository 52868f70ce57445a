/**
 * Where a server may listen: without authentication every request is an admin, so only loopback
 * is allowed unless the operator says otherwise (`INTAKE_ALLOW_UNAUTHENTICATED=1`).
 *
 * @module
 */
import type { AuthSettings } from "./auth_settings.ts";

/** Returns true for a loopback address or name (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopbackHost(hostname: string): boolean {
  // The usual answers first: this runs for every request of a server without authentication.
  if (hostname === "127.0.0.1" || hostname === "localhost") return true;
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Checks the listen address against the access settings. Returns the line to log at start when
 * authentication is off (null when it is on); throws `TypeError` when an unauthenticated server
 * would listen beyond loopback without the override.
 */
export function checkListenAddress(
  settings: { hostname: string; auth: AuthSettings },
): string | null {
  if (settings.auth.enabled) return null;
  if (isLoopbackHost(settings.hostname)) {
    return "authentication is off: listening on loopback only, every request acts as admin";
  }
  if (settings.auth.allowUnauthenticated) {
    return "authentication is off and INTAKE_ALLOW_UNAUTHENTICATED=1: anyone who can reach " +
      "this port acts as admin";
  }
  throw new TypeError(
    `Refusing to listen on "${settings.hostname}" without authentication: anyone who can reach ` +
      "the port would act as admin. Configure INTAKE_USERS or INTAKE_TOKENS (docs/operations.md, " +
      "Access), listen on 127.0.0.1, or set INTAKE_ALLOW_UNAUTHENTICATED=1 to accept the risk",
  );
}

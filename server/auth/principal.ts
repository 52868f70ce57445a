/**
 * Who a request acts as: a signed-in user, an API token, or (when no authentication is
 * configured) the implicit local admin.
 *
 * @module
 */
import type { Run } from "../../core/runs/run.ts";
import { type Permission, type Role, roleAllows } from "./roles.ts";

/** The identity and role of one request. */
export interface Principal {
  /** The user's or token's name (a run's `actor`); null for the implicit local admin. */
  readonly name: string | null;
  readonly role: Role;
  /** How the request proved who it is. */
  readonly via: "local" | "session" | "token";
  /** The session's anti-CSRF token for forms; null unless `via` is `session`. */
  readonly csrfToken: string | null;
}

/** Every request of a server without authentication: loopback only, allowed everything. */
export const LOCAL_ADMIN: Principal = Object.freeze({
  name: null,
  role: "admin",
  via: "local",
  csrfToken: null,
});

/** Returns true when the principal's role grants `permission`. */
export function can(principal: Principal, permission: Permission): boolean {
  return roleAllows(principal.role, permission);
}

/** Returns true when the principal may see `run`: their own, or any with `read_all_runs`. */
export function canSeeRun(principal: Principal, run: Pick<Run, "actor">): boolean {
  return can(principal, "read_all_runs") ||
    (principal.name !== null && run.actor === principal.name);
}

/** The `actor` a run listing is limited to: undefined when the principal sees every run. */
export function ownRunsFilter(principal: Principal): string | undefined {
  return can(principal, "read_all_runs") ? undefined : principal.name ?? "";
}

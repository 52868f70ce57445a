/**
 * What route handlers call to enforce access: the permission of an action, the visibility of a
 * run, the runs a listing may show, and the upload rate.
 *
 * @module
 */
import { IngestError } from "../../core/errors.ts";
import { requireRun } from "../../core/runs/require_run.ts";
import type { Run } from "../../core/runs/run.ts";
import type { Store } from "../../core/ports.ts";
import type { Access } from "./access.ts";
import { can, canSeeRun, ownRunsFilter, type Principal } from "./principal.ts";
import type { Permission } from "./roles.ts";

/** The slice of `ctx.state` the guards read. */
export interface GuardState {
  services: { store: Store; access: Access };
  principal: Principal | null;
}

const ACTIONS: Record<Permission, string> = {
  upload: "upload files",
  review: "commit, discard or change staged runs",
  read_all_runs: "see other people's runs",
  export: "export target tables",
  revert: "revert committed runs",
  share_settings: "change shared settings",
};

/** The request's principal; throws `unauthorized` when nobody signed in. */
export function requirePrincipal(state: GuardState): Principal {
  if (state.principal) return state.principal;
  throw new IngestError("unauthorized", "Sign in or send an API token", {});
}

/** The principal when their role grants `permission`; throws `forbidden` otherwise. */
export function requirePermission(state: GuardState, permission: Permission): Principal {
  const principal = requirePrincipal(state);
  if (can(principal, permission)) return principal;
  throw new IngestError(
    "forbidden",
    `The role "${principal.role}" may not ${ACTIONS[permission]}`,
    { role: principal.role, permission },
  );
}

/**
 * The run when the principal may see it. A run they may not see answers `not_found`, exactly
 * like a missing one, so run ids never leak.
 */
export async function requireVisibleRun(state: GuardState, id: string): Promise<Run> {
  const principal = requirePrincipal(state);
  const run = await requireRun(state.services.store, id);
  if (canSeeRun(principal, run)) return run;
  throw new IngestError("not_found", `No run with id "${id}"`, { runId: id });
}

/**
 * The run and the principal for an action on it: the run must be visible to the principal (else
 * `not_found`, checked first so a hidden run never answers `forbidden`), and their role must
 * grant `permission` (else `forbidden`).
 */
export async function requireRunAction(
  state: GuardState,
  id: string,
  permission: Permission,
): Promise<{ run: Run; principal: Principal }> {
  const run = await requireVisibleRun(state, id);
  return { run, principal: requirePermission(state, permission) };
}

/** The `actor` a run listing is limited to, or undefined when the principal sees every run. */
export function visibleActor(state: GuardState): string | undefined {
  return ownRunsFilter(requirePrincipal(state));
}

/**
 * Takes one upload (or inspection) from the principal's bucket, or the address's when
 * authentication is off; throws `rate_limited` with `retryAfterSeconds` when it is empty. The
 * bucket is the principal's name, the `actor` their runs carry, whatever the credential: a user
 * signed in with a cookie and a token of the same name share one, so switching credentials buys
 * no extra uploads.
 */
export function limitUploads(state: GuardState, remoteAddr: Deno.Addr): void {
  const limiter = state.services.access.uploadLimiter;
  if (!limiter) return;
  const principal = requirePrincipal(state);
  const key = principal.name !== null
    ? `principal:${principal.name}`
    : `addr:${"hostname" in remoteAddr ? remoteAddr.hostname : "local"}`;
  const decision = limiter.take(key);
  if (decision.ok) return;
  const { count, windowMs } = limiter.rate;
  throw new IngestError(
    "rate_limited",
    `Too many uploads: at most ${count} per ${describeWindow(windowMs)}; ` +
      `try again in ${decision.retryAfterSeconds} s`,
    { retryAfterSeconds: decision.retryAfterSeconds, limit: count, windowSeconds: windowMs / 1000 },
  );
}

function describeWindow(ms: number): string {
  if (ms === 1000) return "second";
  if (ms === 60_000) return "minute";
  if (ms === 3_600_000) return "hour";
  return ms === 86_400_000 ? "day" : `${ms / 1000} s`;
}

/**
 * Roles and what each may do. Uploaders send files and see their own runs; reviewers see every
 * run and decide on staged ones, but do not upload (so nobody approves their own file); admins
 * do everything, and only they revert committed runs and change shared settings (a column mapping
 * saved from a run they commit is suggested to everyone; others' are kept for the uploader).
 *
 * @module
 */

/** Every role, least to most powerful. */
export const ROLES = ["uploader", "reviewer", "admin"] as const;

/** A role from the users or tokens configuration. */
export type Role = typeof ROLES[number];

/** Something a role may be allowed to do. */
export type Permission =
  /** Start runs (API and upload page). */
  | "upload"
  /** Commit, discard, refresh a staged run and change its exclusions. */
  | "review"
  /** See every run, not just one's own. */
  | "read_all_runs"
  /** Download a target table (`export.csv`). */
  | "export"
  /** Revert a committed run. */
  | "revert"
  /** Change what applies to everyone, such as the column mappings suggested for all uploads. */
  | "share_settings";

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  uploader: new Set(["upload"]),
  reviewer: new Set(["review", "read_all_runs", "export"]),
  admin: new Set(["upload", "review", "read_all_runs", "export", "revert", "share_settings"]),
};

/** Returns true when `role` grants `permission`. */
export function roleAllows(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

/** Returns true for a known role name. */
export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

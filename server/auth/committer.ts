/**
 * Who commits a run, as far as remembering its column mapping goes: a mapping saved from a run
 * committed by someone who may change shared settings is suggested to everyone; anyone else's
 * is kept for the run's uploader alone.
 *
 * @module
 */
import { can, type Principal } from "./principal.ts";

/** The committer `rememberMapping` (core/saved_mapping.ts) takes for `principal`. */
export function committer(principal: Principal): { name: string | null; shared: boolean } {
  return { name: principal.name, shared: can(principal, "share_settings") };
}

/**
 * The build id that `asset()` appends for cache busting. Browser compatible: the server sets it
 * at start-up and the client reviver sets it from the boot script.
 *
 * @module
 */

let buildId = "";

/** Sets the id `asset()` appends (`?__frsh_c=<id>`). */
export function setBuildId(id: string): void {
  buildId = id;
}

/** The current build id; `""` until one is set. */
export function getBuildId(): string {
  return buildId;
}

/**
 * The app: Fresh's handler for Intake's routes, serving with the services it is built with. Each
 * request is tied to those services here (`request_services.ts`) and the root middleware puts
 * them on `ctx.state`; nothing is installed globally, so two apps with different services (tests)
 * can serve side by side in one process.
 *
 * @example Serve on a port
 * ```ts ignore
 * const services = await openServices(loadSettings());
 * Deno.serve(await createApp(services));
 * ```
 *
 * @module
 */
import { createHandler } from "$fresh/server.ts";
import config from "../fresh.config.ts";
import manifest from "../fresh.gen.ts";
import { serveWith } from "./request_services.ts";
import type { Services } from "./services.ts";

/** A request handler for `Deno.serve`, or for tests with `new Request(…)`. */
export type AppHandler = (req: Request, info?: Deno.ServeHandlerInfo) => Promise<Response>;

/** Builds the app's request handler, serving every request with `services`. */
export async function createApp(services: Services): Promise<AppHandler> {
  const handler = await createHandler(manifest, config);
  return (req, info) => handler(serveWith(req, services), info);
}

/**
 * The services a request is served with: set by the app (`server/app.ts`) as the request comes
 * in, read by the root middleware, which puts them on `ctx.state`. Keyed by the request itself
 * (Fresh hands the same `Request` to every middleware and route), so nothing is global.
 *
 * @module
 */
import type { Services } from "./services.ts";

const servicesByRequest = new WeakMap<Request, Services>();

/** Ties `req` to `services` and returns it. */
export function serveWith(req: Request, services: Services): Request {
  servicesByRequest.set(req, services);
  return req;
}

/** The services `req` is served with; throws when it did not come through the app. */
export function servicesOf(req: Request): Services {
  const services = servicesByRequest.get(req);
  if (!services) {
    throw new Error("Cannot find the services of a request: serve it with createApp(services)");
  }
  return services;
}

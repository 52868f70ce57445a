/**
 * {@linkcode HttpError}: an error that carries the HTTP status it should be answered with (as in
 * Fresh 2). The request pipeline throws one for a request it cannot even route, such as one whose
 * `Host` header makes no valid URL; `Deno.serve`'s `onError` (`server.onError` in the config)
 * answers it.
 *
 * @module
 */

/** An error with the HTTP status it calls for. */
export class HttpError extends Error {
  /** `status`: the HTTP status to answer with. */
  constructor(readonly status: number, message?: string, options?: ErrorOptions) {
    super(message ?? `HTTP ${status}`, options);
    this.name = "HttpError";
  }
}

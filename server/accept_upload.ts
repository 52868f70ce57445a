/**
 * Accepting an upload over HTTP: checks the declared size, reads the request into the pipeline,
 * and waits a little for the run to finish so small files answer `201` with the final run while
 * large ones answer `202` and go on in the background. When this instance runs a job worker,
 * uploads declaring more than `INTAKE_ASYNC_THRESHOLD_BYTES` (and any with `?async=1`) are stored
 * in the database and queued instead, answering `202` with the `queued` run.
 *
 * @module
 */
import { context } from "@opentelemetry/api";
import type { ResolvedUploadType } from "../core/config/upload_type_schema.ts";
import { IngestError } from "../core/errors.ts";
import { type IngestHandle, startIngest } from "../core/pipeline.ts";
import type { Run } from "../core/runs/run.ts";
import type { Services } from "./services.ts";
import { fileSpool } from "../host/deno/file_spool.ts";
import { nativeSha256 } from "../host/deno/native_sha256.ts";
import { requestBodySource } from "../host/deno/replayable_body.ts";
import { readQuery } from "./query_params.ts";
import { readUpload, UPLOAD_QUERY } from "./upload_request.ts";

/** How long to wait, after the body has arrived, before answering `202 Accepted`. */
const WAIT_AFTER_RECEIVE_MS = 2000;
// Room for multipart boundaries and part headers around the file itself.
const MULTIPART_OVERHEAD = 64 * 1024;

/** The run an upload created, and whether it reached a final status within the request. */
export interface AcceptedUpload {
  run: Run;
  finished: boolean;
}

/** Reads an upload request for `typeName` into a new run. */
export async function acceptUpload(
  services: Services,
  req: Request,
  typeName: string,
  options: { actor?: string | null; shareMapping?: boolean; respondAsync?: boolean } = {},
): Promise<AcceptedUpload> {
  const type = services.uploadTypes.get(typeName);
  const { limit, declared } = await refuseDeclaredOversize(services, type, req);
  const url = new URL(req.url);
  const input = await readUpload(req, url);
  const queue = services.jobs;
  const async = readQuery(url, UPLOAD_QUERY).async === true;
  if (queue && (async || declared > services.settings.asyncThresholdBytes)) {
    const run = await queue.enqueue(type, input, {
      actor: options.actor,
      shareMapping: options.shareMapping,
      maxBytes: limit,
      signal: req.signal,
      parent: context.active(),
    });
    return { run, finished: run.status === "failed" };
  }
  // Read here, the upload may hold its memory budget until the run is done: it needs a slot.
  let release: () => void;
  try {
    release = services.uploadSlots.take();
  } catch (err) {
    await input.body.cancel().catch(() => {});
    throw err;
  }
  // A client that goes away mid-upload cancels the run; once the body is in, the run no longer
  // depends on the connection (Deno also aborts req.signal after a response is sent).
  const cancel = new AbortController();
  const onAbort = () => cancel.abort();
  req.signal.addEventListener("abort", onAbort);
  // The pipeline asks for the body to be kept (spooled) when a direct import may be a first
  // load, which reads the upload again when it gives up.
  const source = requestBodySource(input.body);
  let handle: IngestHandle;
  try {
    const { body: _body, ...read } = input;
    handle = await startIngest(services.store, {
      ...read,
      source,
      type,
      actor: options.actor ?? null,
      shareMapping: options.shareMapping,
      maxFileBytes: services.settings.maxFileBytes,
      limits: services.settings.uploadLimits,
      expectedBytes: Number.isFinite(declared) ? declared : undefined,
      spool: fileSpool,
      sha256: nativeSha256,
      // Deno's HTTP server span (OTEL_DENO=true), which already continues an incoming
      // `traceparent`; the run's spans stay in that trace after the response is sent.
      parent: context.active(),
      signal: cancel.signal,
    });
    const done = handle.done.finally(() => {
      release();
      return source.close();
    });
    services.inFlight.add(done);
    done.finally(() => services.inFlight.delete(done));
    await handle.received;
  } catch (err) {
    release();
    await source.close();
    throw err;
  } finally {
    req.signal.removeEventListener("abort", onAbort);
  }
  // Without a worker `?async=1` still answers at once; the run goes on in this process.
  const final = options.respondAsync || async ? null : await Promise.race([
    handle.done,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), WAIT_AFTER_RECEIVE_MS)),
  ]);
  if (final) return { run: final, finished: true };
  return { run: await services.store.getRun(handle.run.id) ?? handle.run, finished: false };
}

/**
 * The size limit for `type` (its own, or the operator's when lower) and the declared
 * `Content-Length`; a request declaring more than the limit has its body cancelled and is refused
 * with `file_too_large` before anything is read.
 */
export async function refuseDeclaredOversize(
  services: Services,
  type: ResolvedUploadType,
  req: Request,
): Promise<{ limit: number; declared: number }> {
  const limit = Math.min(type.maxFileBytes, services.settings.maxFileBytes ?? Infinity);
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit + MULTIPART_OVERHEAD) {
    await req.body?.cancel().catch(() => {});
    throw new IngestError(
      "file_too_large",
      `The file is larger than ${limit} bytes, the limit for ${type.label}`,
      { maxBytes: limit, bytes: declared },
    );
  }
  return { limit, declared };
}

/** The typed error of a failed run, with `details.runId` so clients can find the run. */
export function runFailure(run: Run): IngestError {
  const error = run.error ?? { type: "internal_error", message: "The run failed", details: {} };
  return new IngestError(error.type, error.message, { ...error.details, runId: run.id });
}

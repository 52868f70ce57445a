/**
 * Intake's server: settings from the environment, the database (embedded PGlite unless
 * `DATABASE_URL` is set) migrated to the latest schema, the upload types loaded from
 * `config/upload_types/`, the background job worker, then the app (`server/app.ts`) on
 * `Deno.serve`. The services are built here once and passed to the app and the worker.
 *
 * On SIGTERM or SIGINT it stops in steps, each logged: no new connections (requests under way
 * finish), no new jobs claimed, running work gets `INTAKE_SHUTDOWN_GRACE_MS` to finish before
 * the jobs still running go back to the queue for another instance, then the database closes
 * (given as long again, at least 5 s; a database that does not answer is abandoned, and the exit
 * code is 1). The whole shutdown has a last deadline of three times the grace plus 10 s.
 *
 * @module
 */
import { log } from "./host/deno/log.ts";
import { startRowRetention } from "./host/deno/row_retention.ts";
import { exitAfter, onShutdownSignal } from "./host/deno/shutdown_signals.ts";
import { removeUploadTemp, sweepUploadTemp } from "./host/deno/upload_temp.ts";
import { createApp } from "./server/app.ts";
import { checkListenAddress } from "./server/auth/listen_policy.ts";
import { closeServices, openServices } from "./server/services.ts";
import { loadSettings } from "./server/settings.ts";
import { unservedRequest } from "./server/unserved_request.ts";

try {
  const settings = loadSettings();
  // Refused before the database opens: an exposed admin-for-everyone server must not start.
  const authOff = checkListenAddress(settings);
  log.setLevel(settings.logLevel);
  if (authOff) log.warn(authOff, { hostname: settings.hostname });
  // Upload files of processes that were killed (no exit to remove them) go before any new one.
  const swept = await sweepUploadTemp().catch((err) => {
    log.warn("cannot remove upload files of stopped processes", { error: String(err) });
    return 0;
  });
  if (swept > 0) log.info("removed upload files of stopped processes", { directories: swept });
  const services = await openServices(settings, {
    worker: settings.workerConcurrency > 0 ? {} : undefined,
  });
  await services.jobs?.start();
  const stopRetention = startRowRetention(services);
  log.info("intake started", {
    database: services.database.kind,
    data_dir: services.database.kind === "pglite" ? settings.dataDir : undefined,
    upload_types: services.uploadTypes.list().map((t) => t.name),
    worker_concurrency: settings.workerConcurrency,
  });
  const server = Deno.serve({
    port: settings.port,
    hostname: settings.hostname,
    onListen: (addr) =>
      console.log(`Fresh ready: http://${listenHost(addr.hostname)}:${addr.port}/`),
    onError: unservedRequest,
  }, await createApp(services));
  let signalled: (() => void) | undefined;
  const stopRequested = new Promise<void>((resolve) => signalled = resolve);
  const stopListening = onShutdownSignal((signal) => {
    log.info("shutdown requested", { signal, grace_ms: settings.shutdownGraceMs });
    // Every step below is bounded, but handing a job back writes to the database, and one that
    // stopped answering would hold that write, and the exit, forever: a last bound for the whole.
    const deadlineMs = 3 * settings.shutdownGraceMs + 10_000;
    exitAfter(deadlineMs, () => {
      log.error("shutdown did not finish in time: exiting", { deadline_ms: deadlineMs });
    });
    void server.shutdown();
    void services.jobs?.stop(settings.shutdownGraceMs);
    signalled?.();
  });
  // Requests that never end (event streams of runs still going) may not hold the exit up longer
  // than the grace period.
  const outlasted = stopRequested.then(() =>
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), settings.shutdownGraceMs))
  );
  const late = await Promise.race([server.finished.then(() => false), outlasted]);
  log.info(late ? "http server stopped waiting for requests" : "http server stopped");
  stopRetention();
  const clean = await closeServices(services, settings.shutdownGraceMs);
  stopListening();
  await removeUploadTemp();
  log.info("intake stopped", { clean });
  Deno.exit(clean ? 0 : 1);
} catch (err) {
  // Start-up errors (bad settings, bad upload-type config, unreachable database) are for people.
  console.error(`Intake could not start: ${err instanceof Error ? err.message : err}`);
  await removeUploadTemp();
  Deno.exit(1);
}

/** The host name as a browser would use it in the start-up line, as Fresh's `start()` prints it. */
function listenHost(hostname: string): string {
  if (hostname === "0.0.0.0" || hostname === "::") return "localhost";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

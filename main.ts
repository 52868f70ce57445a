/**
 * Intake's server: settings from the environment, the database (embedded PGlite unless
 * `DATABASE_URL` is set) migrated to the latest schema, the upload types loaded from
 * `config/upload_types/`, then the Fresh app on `Deno.serve`.
 *
 * @module
 */
import { start } from "$fresh/server.ts";
import config from "./fresh.config.ts";
import manifest from "./fresh.gen.ts";
import { log } from "./server/log.ts";
import { closeServices, installServices, openServices } from "./server/services.ts";
import { loadSettings } from "./server/settings.ts";

try {
  const settings = loadSettings();
  log.setLevel(settings.logLevel);
  const services = await openServices(settings);
  installServices(services);
  log.info("intake started", {
    database: services.database.kind,
    data_dir: services.database.kind === "pglite" ? settings.dataDir : undefined,
    upload_types: services.uploadTypes.list().map((t) => t.name),
  });
  await start(manifest, {
    ...config,
    server: { port: settings.port, hostname: settings.hostname },
  });
  await closeServices(services);
} catch (err) {
  // Start-up errors (bad settings, bad upload-type config, unreachable database) are for people.
  console.error(`Intake could not start: ${err instanceof Error ? err.message : err}`);
  Deno.exit(1);
}

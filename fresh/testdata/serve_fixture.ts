/**
 * Starts the fixture app with `start()` on a free port, for `start_test.ts`, which reads the
 * ready line, sends requests and then SIGTERM. Prints "stopped" once `start()` resolves.
 *
 * @module
 */
import { start } from "../server.ts";
import manifest from "./app/fresh.gen.ts";

await start(manifest, { server: { port: 0, hostname: "127.0.0.1" } });
console.log("stopped");

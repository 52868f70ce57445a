/**
 * Fresh configuration. `main.ts` sets the port and hostname from Intake's settings; the rest
 * keeps Fresh's defaults (`static/`, `_fresh/`, `/a/` redirects to `/a`).
 *
 * @module
 */
import { defineConfig } from "$fresh/server.ts";

export default defineConfig({});

#!/usr/bin/env -S deno run -A --watch=static/,routes/,islands/
/**
 * Dev entry: regenerates `fresh.gen.ts`, then `deno task dev` serves `main.ts` in dev mode,
 * `deno task build` bundles the islands into `_fresh/`, `deno task manifest` stops after the
 * manifest.
 *
 * @module
 */
import dev from "$fresh/dev.ts";
import config from "./fresh.config.ts";

await dev(import.meta.url, "./main.ts", config);

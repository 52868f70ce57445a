/**
 * Runs the bundled core under Node: `node node_host.mjs <bundle.js> <cases JSON>`, where each case
 * is `{ path, type, format }`; prints the summaries, in order, as one JSON array.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { pathToFileURL } from "node:url";

const [bundle, cases] = process.argv.slice(2);
const { default: core } = await import(pathToFileURL(bundle).href);
const summaries = [];
for (const { path, type, format } of JSON.parse(cases)) {
  const url = `http://core/?type=${type}&format=${format}`;
  const response = await core.fetch(
    new Request(url, { method: "POST", body: await readFile(path) }),
  );
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}: ${await response.text()}`);
  summaries.push(await response.json());
}
process.stdout.write(JSON.stringify(summaries));

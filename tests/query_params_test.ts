/**
 * The class of "a route trusts a query parameter": every route of the manifest, with every query
 * parameter it declares (`export const query`) and a few it does not, is sent malformed values
 * (garbage, over-long and negative numbers, NUL, huge strings, the parameter twice). The answer
 * is never a 5xx and always readable: a value the declaration refuses is a `400` (the API's
 * `bad_request` JSON, a page's 400 page saying what was wrong); any other value a 2xx-4xx. A
 * source scan keeps every query parameter read behind a declaration.
 *
 * @module
 */
import manifest from "../fresh.gen.ts";
import { assert, assertEquals } from "./assert.ts";
import { appTest, type TestApp } from "./app_harness.ts";
import { FACILITIES } from "./api/fixtures.ts";
import type { QuerySpec } from "../server/query_params.ts";

const MALFORMED = [
  "zzz",
  "x",
  "-1",
  "0",
  "1.5",
  "1e3",
  "0x10",
  " 7",
  "99999999999999999999999",
  "2147483648",
  "\u0000",
  "a\u0000b",
  "%ff",
  "<script>alert(1)</script>",
  "'; select 1; --",
  "[]",
  "{}",
  "x".repeat(8000),
];
/** Names routes commonly read, sent to every route whether it declares them or not. */
const COMMON = ["cursor", "limit", "action", "status", "type", "mode", "next", "headers"];

interface Route {
  file: string;
  path: string;
  methods: string[];
  query: QuerySpec;
}

/** Every route of the manifest with a URL (ids filled in), the methods it answers and its query. */
function routes(runId: string): Route[] {
  const out: Route[] = [];
  for (const [file, module] of Object.entries(manifest.routes)) {
    const name = file.replace(/^\.\/routes/, "").replace(/\.tsx?$/, "");
    if (/(^|\/)_/.test(name) || name.includes("[...")) continue;
    const path = name.replace(/\/index$/, "").replace("[id]", runId).replace("[type]", "facilities")
      .replace("[row]", "1") || "/";
    const handler = (module as { handler?: unknown }).handler;
    const methods = typeof handler === "object" && handler !== null
      ? Object.keys(handler)
      : ["GET"];
    const query = (module as { query?: QuerySpec }).query ?? {};
    out.push({ file, path, methods: methods.filter((m) => m === "GET" || m === "POST"), query });
  }
  return out;
}

/** What a route is sent with each method: uploads get a real file, so only the query is wrong. */
function init(route: Route, method: string): RequestInit {
  if (method === "GET") return {};
  if ("mode" in route.query) {
    const form = new FormData();
    form.set("file", new File([FACILITIES], "facilities.csv", { type: "text/csv" }));
    return { method, body: form };
  }
  return { method, body: "{}", headers: { "content-type": "application/json" } };
}

/**
 * Asserts the answer is no 5xx and readable; returns true when it is the 400 of a bad parameter
 * (`bad_request` JSON, or a page, saying "Invalid <name>").
 */
async function check(res: Response, what: string, name: string): Promise<boolean> {
  const body = await res.text();
  assert(res.status < 500, `${what}: answered ${res.status}: ${body.slice(0, 300)}`);
  if (res.status < 400) return false;
  const type = res.headers.get("content-type") ?? "";
  if (type.startsWith("application/json")) {
    const error = JSON.parse(body).error;
    assert(typeof error?.type === "string" && error.message, `${what}: ${body.slice(0, 300)}`);
    return res.status === 400 && error.type === "bad_request" &&
      error.message.startsWith(`Invalid ${name}`);
  }
  if (type.startsWith("text/html")) {
    assert(/<h1>[^<]+<\/h1>/.test(body), `${what}: a page without a heading`);
    assert(!body.includes("Something went wrong"), `${what}: the 500 page`);
    return res.status === 400 && body.includes(`Invalid ${name}`);
  }
  assert(body.trim().length > 0, `${what}: an empty ${res.status} (${type})`);
  return false;
}

async function stagedRun(app: TestApp): Promise<string> {
  const res = await app.upload("facilities", FACILITIES, { mode: "staged" });
  assertEquals(res.status, 201);
  return (await app.json<{ id: string }>(res)).id;
}

appTest("every route refuses a malformed query parameter with a readable 4xx", async (app) => {
  const runId = await stagedRun(app);
  const all = routes(runId);
  assert(all.some((r) => r.path === "/runs" && "cursor" in r.query), "routes declare their query");
  let declared = 0;
  for (const route of all) {
    const send = async (query: string, name: string, refused: boolean) => {
      let seen = false;
      for (const method of route.methods) {
        const what = `${method} ${route.path}?${query.slice(0, 60)}`;
        seen =
          await check(await app.fetch(`${route.path}?${query}`, init(route, method)), what, name) ||
          seen;
      }
      // A route declares what one of its methods reads (a page's GET, an upload's POST).
      if (refused) assert(seen, `${route.path}?${query.slice(0, 60)}: no method refused it`);
      if (refused) declared++;
    };
    for (const [name, param] of Object.entries(route.query)) {
      for (const value of MALFORMED) {
        const refused = param.parse(value) === undefined;
        // An upload route's accepted values would each import the file: its refusals suffice.
        if (!refused && "mode" in route.query) continue;
        await send(new URLSearchParams({ [name]: value }).toString(), name, refused);
      }
      await send(`${name}=1&${name}=2`, name, true);
    }
    // Names other routes read, which this one must ignore whatever they hold.
    const others = COMMON.filter((name) => !(name in route.query));
    for (const value of MALFORMED) {
      const query = new URLSearchParams(others.map((name) => [name, value])).toString();
      await send(query, others[0], false);
    }
    // A percent-encoded NUL written into the URL by hand, as an attacker would.
    await send("cursor=%00&limit=%00&type=%00", "cursor", false);
  }
  assert(declared > 100, `only ${declared} refusals were checked`);
});

appTest("a page's bad cursor is a 400 page, the API's a bad_request", async (app) => {
  const runId = await stagedRun(app);
  for (const path of ["/runs?cursor=zzz", `/runs/${runId}/review?cursor=x`]) {
    const res = await app.fetch(path);
    const body = await res.text();
    assertEquals(res.status, 400, path);
    assert(res.headers.get("content-type")?.startsWith("text/html"), path);
    assert(res.headers.get("content-security-policy"), `${path}: no security headers`);
    assert(body.includes("Invalid cursor"), `${path}: ${body}`);
  }
  const over = await app.fetch(`/runs/${runId}/review?cursor=99999999999999999`);
  assertEquals(over.status, 400);
  await over.body?.cancel();
  for (const path of ["/api/v1/runs?cursor=zzz", `/api/v1/runs/${runId}/rows?cursor=1e99`]) {
    const res = await app.fetch(path);
    assertEquals(res.status, 400, path);
    assertEquals((await res.json()).error.type, "bad_request");
  }
});

Deno.test("query parameters are read only through a route's declaration", async () => {
  const offenders: string[] = [];
  for (const dir of ["routes", "server", "components", "islands"]) {
    for await (const file of walk(new URL(`../${dir}/`, import.meta.url))) {
      if (/_test\.tsx?$/.test(file.pathname) || file.pathname.endsWith("/query_params.ts")) {
        continue;
      }
      const source = await Deno.readTextFile(file);
      if (/searchParams\.(get|getAll|has)\(/.test(source)) offenders.push(file.pathname);
    }
  }
  assertEquals(offenders, [], "read query parameters with readQuery() and a declared spec");
});

async function* walk(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* walk(url);
    else if (/\.tsx?$/.test(entry.name)) yield url;
  }
}

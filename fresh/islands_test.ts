import { assert, assertEquals, assertMatch } from "../tests/assert.ts";
import { createHandler } from "./server.ts";
import { IslandPropsError } from "./src/serializer.ts";
import manifest from "../tests/fixtures/fresh_app/fresh.gen.ts";

const handler = await createHandler(manifest);

function get(path: string, headers?: HeadersInit): Promise<Response> {
  return handler(new Request(`http://localhost${path}`, { headers }));
}

async function islandPage(): Promise<string> {
  const res = await get("/island");
  assertEquals(res.status, 200);
  return await res.text();
}

function stateScript(html: string): string {
  const match = /<script id="(__FRSH_STATE_[0-9a-f-]+)" type="application\/json">(.*?)<\/script>/
    .exec(html);
  assert(match, "no state script");
  return match[2];
}

Deno.test("islands are server-rendered between Fresh 1.x comment markers", async () => {
  const html = await islandPage();
  assertMatch(
    html,
    /<!--frsh-counter_default:0:--><div class="counter"><output>clicks: 3<\/output><button type="button" disabled>\+1<\/button><\/div><!--\/frsh-counter_default:0:-->/,
  );
  assertMatch(html, /<!--frsh-outer_default:1:--><section class="outer">/);
  assertMatch(html, /<!--frsh-outer_badge:2:--><mark>/);
});

Deno.test("an island rendered by another island is a plain component", async () => {
  const html = await islandPage();
  // Outer renders a Counter: it appears in the HTML without markers of its own.
  assertMatch(html, /<section class="outer"><h2>outer<\/h2><div class="counter"><output>inner: 10/);
  assertEquals(html.match(/frsh-counter_default/g)?.length, 2);
});

Deno.test("island props are in the state script, escaped for inline use", async () => {
  const html = await islandPage();
  const raw = stateScript(html);
  assert(!raw.includes("<") && !raw.includes(">") && !raw.includes("\u2028"), raw);
  assertMatch(raw, /\\u003c\/script\\u003e\\u003cb\\u003e\\u2028/);
  assertEquals(JSON.parse(raw), {
    v: [[{ start: 3, label: "clicks" }, { title: "outer" }, { text: "</script><b>\u2028" }], []],
  });
});

Deno.test("an island page boots the content-hashed bundle, served immutable", async () => {
  const html = await islandPage();
  const boot =
    /<script type="module" src="(\/_frsh\/js\/([0-9a-f]{16})\/boot\.js)"><\/script><\/body>/
      .exec(html);
  assert(boot, html);
  const mainPath = `/_frsh/js/${boot[2]}/main.js`;
  assertMatch(html, new RegExp(`<link rel="modulepreload" href="${mainPath}"></head>`));

  const bootJs = await get(boot[1]);
  assertEquals(bootJs.status, 200);
  assertEquals(bootJs.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assertMatch(await bootJs.text(), /^import \{ boot \} from "\.\/main\.js";/);

  const js = await get(mainPath);
  assertEquals(js.status, 200);
  assertEquals(js.headers.get("content-type"), "text/javascript; charset=utf-8");
  assertEquals(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
  const code = await js.text();
  assertMatch(code, /export\s*\{\s*\w+ as boot\s*\}/);
  // Minified: no indentation survives.
  assert(!code.includes("\n  "), "bundle is not minified");

  const again = await get(mainPath, { "if-none-match": js.headers.get("etag")! });
  assertEquals(again.status, 304);
  const stale = await get(`/_frsh/js/0000000000000000/main.js`);
  assertEquals(stale.status, 404);
  await stale.body?.cancel();
});

Deno.test("an island page has no inline script, so script-src 'self' suffices", async () => {
  const html = await islandPage();
  const scripts = [...html.matchAll(/<script([^>]*)>(.*?)<\/script>/gs)];
  assertEquals(scripts.length, 2);
  for (const [, attributes, body] of scripts) {
    const external = /\bsrc="\/_frsh\/js\//.test(attributes) && body === "";
    const data = /\btype="application\/json"/.test(attributes);
    assert(external || data, `inline executable script: <script${attributes}>`);
  }
});

Deno.test("a function prop fails the render with the island and prop named", async () => {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  let res: Response;
  try {
    res = await get("/bad_island");
  } finally {
    console.error = original;
  }
  assertEquals(res.status, 500);
  assertMatch(
    await res.text(),
    /Custom 500: Cannot serialize prop &quot;format&quot; of island &quot;Formatter&quot;: functions cannot be sent to the browser/,
  );
  const err = logged[0][1];
  assert(err instanceof IslandPropsError);
  assertEquals([err.island, err.prop], ["Formatter", "format"]);
});

Deno.test("an island inside an element the HTML parser reshapes fails the render", async () => {
  for (const parent of ["p", "span", "h2", "button", "tr", "ul"]) {
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    let res: Response;
    try {
      res = await get(`/misplaced_island?in=${parent}`);
    } finally {
      console.error = original;
    }
    assertEquals(res.status, 500, parent);
    assertMatch(
      await res.text(),
      new RegExp(`Custom 500: Cannot render island &quot;Counter&quot; inside &lt;${parent}>:`),
    );
    assert(logged[0][1] instanceof TypeError);
  }
  for (const parent of ["div", "section", "form", "li", "td", "dialog"]) {
    const res = await get(`/misplaced_island?in=${parent}`);
    assertEquals(res.status, 200, parent);
    assertMatch(await res.text(), new RegExp(`<${parent}><!--frsh-counter_default:0:-->`));
  }
});

import { assertEquals } from "../tests/assert.ts";
import { asset, IS_BROWSER } from "./runtime.ts";
import { setBuildId } from "./src/build_id.ts";

Deno.test("asset() adds the build id to local paths only", () => {
  setBuildId("b1");
  assertEquals(asset("/logo.svg"), "/logo.svg?__frsh_c=b1");
  assertEquals(asset("/a.css?v=2#top"), "/a.css?v=2&__frsh_c=b1#top");
  assertEquals(asset("/a.css?__frsh_c=old"), "/a.css?__frsh_c=old");
  assertEquals(asset("https://cdn.example/x.js"), "https://cdn.example/x.js");
  assertEquals(asset("//cdn.example/x.js"), "//cdn.example/x.js");
  assertEquals(asset("relative.png"), "relative.png");
});

Deno.test("IS_BROWSER is false on the server", () => {
  assertEquals(IS_BROWSER, false);
});

import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertMatch } from "../tests/assert.ts";

const SCRIPT = fileURLToPath(new URL("../tests/fixtures/fresh_app/serve.ts", import.meta.url));

Deno.test({
  name: "start() prints one ready line, serves, and stops cleanly on SIGTERM",
  ignore: Deno.build.os === "windows",
  async fn() {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) break;
      out += value;
    }
    const ready = /^Fresh ready: (http:\/\/127\.0\.0\.1:\d+\/)\n$/.exec(out);
    assert(ready, `unexpected output: ${out}`);

    const home = await fetch(ready[1]);
    assertMatch(await home.text(), /<h1>Home<\/h1>/);
    // The bundle is prepared in the background after the ready line; the page waits if needed.
    const island = await fetch(new URL("/island", ready[1]));
    assertMatch(await island.text(), /\/_frsh\/js\/[0-9a-f]{16}\/main\.js/);

    child.kill("SIGTERM");
    let rest = "";
    for (let r = await lines.read(); !r.done; r = await lines.read()) rest += r.value;
    const status = await child.status;
    const stderr = await new Response(child.stderr).text();
    assertEquals([status.code, rest, stderr], [0, "stopped\n", ""]);
  },
});

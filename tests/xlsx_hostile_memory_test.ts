import { assert, assertEquals } from "./assert.ts";
import { ISSUE_25_SHAPES } from "./hostile_xlsx.ts";
import { MALLOC_ENV, V8_HEAP_FLAGS } from "../host/deno/process_settings.ts";

const PEAK_MB = 200;
// A quarter of the server's heap: each workbook must end well within it, not merely within 256 MB.
const HEAP_MB = 64;

Deno.test({
  name: `issue 25's hostile workbooks, at full size, end in limit_exceeded in a ${HEAP_MB} MB heap`,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "intake-hostile-" });
    try {
      const names = Object.keys(ISSUE_25_SHAPES);
      const paths = [];
      for (const [i, build] of Object.values(ISSUE_25_SHAPES).entries()) {
        const path = `${dir}/${i}.xlsx`;
        await Deno.writeFile(path, await build());
        paths.push(path);
      }
      const probe = new URL("./xlsx_hostile_probe.ts", import.meta.url).pathname;
      const out = await new Deno.Command(Deno.execPath(), {
        // The server's heap and allocator settings (deno task start), its heap cut to a quarter:
        // past it the probe dies of out-of-memory.
        args: [
          "run",
          "-A",
          `--v8-flags=${[...V8_HEAP_FLAGS, `--max-old-space-size=${HEAP_MB}`].join(",")}`,
          probe,
          ...paths,
        ],
        env: MALLOC_ENV,
        stdout: "piped",
        stderr: "inherit",
      }).output();
      assert(out.success, "the probe ran to its end (no out-of-memory)");
      const results = new TextDecoder().decode(out.stdout).trim().split("\n").map((line) =>
        JSON.parse(line)
      );
      assertEquals(results.length, names.length);
      results.forEach((result, i) => {
        assertEquals(result.type, "limit_exceeded", `${names[i]}: ${JSON.stringify(result)}`);
        assert(result.peakMb < PEAK_MB, `${names[i]}: peak RSS ${result.peakMb} MB`);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

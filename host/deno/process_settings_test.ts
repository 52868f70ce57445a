import { assert } from "../../tests/assert.ts";
import { MALLOC_ENV, v8FlagsArg } from "./process_settings.ts";

Deno.test("deno task start and ingest run with the process settings", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ) as { tasks: Record<string, string> };
  const env = Object.entries(MALLOC_ENV).map(([name, value]) => `${name}=${value}`);
  for (const task of ["start", "ingest"]) {
    const words = config.tasks[task].split(/\s+/);
    for (const setting of [...env, v8FlagsArg()]) {
      assert(words.includes(setting), `deno task ${task} lacks ${setting}`);
    }
  }
});

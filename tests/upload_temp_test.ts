/**
 * Upload temporary files live in a directory per process under `<temp>/intake-uploads/`: `main.ts`
 * removes the directories of processes that no longer run when it starts (a killed import's
 * spool among them), leaves a running process's alone, and removes its own when it stops.
 *
 * @module
 */
import { pollUntil } from "./poll.ts";
import { assert, assertEquals } from "./assert.ts";
import { startServer } from "./server_process.ts";
import { rawRequest } from "./raw_http.ts";
import { writeXlsx } from "./xlsx_writer.ts";

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", ""] }).spawn();
  await child.status;
  return child.pid;
}

Deno.test({
  name: "main.ts removes upload files of dead processes at start and its own at exit",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "intake-temp-test-" });
    try {
      const parent = `${tmp}/intake-uploads`;
      const stale = `${await deadPid()}-killed`;
      const live = `${Deno.pid}-running`;
      for (const dir of [stale, live]) {
        await Deno.mkdir(`${parent}/${dir}`, { recursive: true });
        await Deno.writeFile(`${parent}/${dir}/intake-upload-x.spool`, new Uint8Array(1024));
      }
      const server = await startServer({ TMPDIR: tmp, INTAKE_DATA_DIR: `${tmp}/data` });
      let code: number;
      try {
        assertEquals(await names(parent), [live], "the dead process's files are gone");
        const removed = server.lines().find((l) =>
          l.msg === "removed upload files of stopped processes"
        );
        assertEquals(removed?.directories, 1);
        // A workbook is spooled to a file in the server's own directory.
        const book = await writeXlsx([{ name: "S", rows: [["facility_id"], ["ABC-000001"]] }]);
        const form = new FormData();
        form.set("file", new File([book], "f.xlsx"));
        const res = await fetch(`${server.url}/api/v1/upload-types/facilities/inspect`, {
          method: "POST",
          body: form,
        });
        assertEquals(res.status, 200, await res.clone().text());
        await res.body?.cancel();
        const during = await names(parent);
        assertEquals(during.length, 2, `its own directory: ${during}`);
        assert(during.includes(live));
        // main.ts answers a malformed Host as the harness does (onError): checked here as well.
        const bad = await rawRequest(
          Number(new URL(server.url).port),
          "GET / HTTP/1.1\r\nHost: a b",
        );
        assertEquals([bad.status, JSON.parse(bad.body).error.type], [400, "bad_request"]);
      } finally {
        code = await server.stop("SIGTERM");
      }
      assertEquals(code, 0);
      // The refusal was logged as a JSON line.
      assert(server.lines().some((l) => l.msg === "request refused"));
      assertEquals(await names(parent), [live], "the server removed its own directory");
    } finally {
      // A process that just exited may still be releasing files below it (seen once in CI).
      await pollUntil(
        "the test's temp directory to be removed",
        () => Deno.remove(tmp, { recursive: true }).then(() => true, () => undefined),
        {
          timeoutMs: 10_000,
        },
      );
    }
  },
});

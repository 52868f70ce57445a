import { assertEquals } from "../../tests/assert.ts";
import { replayableBody } from "./replayable_body.ts";

const { test } = Deno;

test("replayableBody() passes the body through, reads it again whole, and deletes its copy", async () => {
  const chunks = Array.from({ length: 50 }, (_, i) => new Uint8Array(70_000).fill(i));
  const body = ReadableStream.from(chunks);
  const replay = await replayableBody(body);
  const first = new Uint8Array(await new Response(replay.body).arrayBuffer());
  const again = new Uint8Array(await new Response(await replay.reopen()).arrayBuffer());
  assertEquals(first.length, 50 * 70_000);
  assertEquals(again, first);
  assertEquals(again[69_999 + 70_000 * 49], 49);
  await replay.close();
  const gone = await Deno.stat(replay.path).then(() => false, () => true);
  assertEquals(gone, true);
});

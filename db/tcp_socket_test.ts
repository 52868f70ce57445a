import { assert, assertEquals, assertRejects } from "../tests/assert.ts";
import { isSingleTcpHost, noDelaySocket } from "./tcp_socket.ts";

Deno.test("isSingleTcpHost() takes one TCP host, not Unix sockets or host lists", () => {
  assertEquals(isSingleTcpHost("postgres://u:p@db.example:5432/intake"), true);
  assertEquals(isSingleTcpHost("postgresql://127.0.0.1/intake?sslmode=require"), true);
  assertEquals(isSingleTcpHost("postgres://u@/intake?host=/run/postgresql"), false);
  assertEquals(isSingleTcpHost("postgres://u@h1:5432,h2:5432/intake"), false);
  assertEquals(isSingleTcpHost("not a url"), false);
});

Deno.test("noDelaySocket() connects to the first host, or fails with the connect error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const accepted = listener.accept();
  const socket = await noDelaySocket(5)({ host: ["127.0.0.1"], port: [port] });
  const conn = await accepted;
  socket.write("ping");
  const buffer = new Uint8Array(4);
  assertEquals(await conn.read(buffer), 4);
  assertEquals(new TextDecoder().decode(buffer), "ping");
  socket.destroy();
  conn.close();
  listener.close();

  const err = await assertRejects(() => noDelaySocket(5)({ host: ["127.0.0.1"], port: [port] }));
  assert(
    (err as { code?: string }).code === "ECONNREFUSED",
    `expected ECONNREFUSED, got ${err}`,
  );
});

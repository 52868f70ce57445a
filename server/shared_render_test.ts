import type { FreshContext } from "$fresh/server.ts";
import { assertEquals } from "../tests/assert.ts";
import { LOCAL_ADMIN, type Principal } from "./auth/principal.ts";
import { clearSharedRenders, renderShared } from "./shared_render.ts";

/** A context whose render prints its data, counting the renders. */
function fakeContext(principal: Principal | null, path = "/") {
  const renders: unknown[] = [];
  const ctx = {
    url: new URL(`http://localhost${path}`),
    state: { principal },
    render(data: unknown, init?: { status?: number }) {
      renders.push(data);
      return Promise.resolve(new Response(JSON.stringify(data), { status: init?.status ?? 200 }));
    },
  } as unknown as FreshContext<{ principal: Principal | null }>;
  return { ctx, renders };
}

const token = (name: string): Principal => ({
  name,
  role: "uploader",
  via: "token",
  csrfToken: null,
});

Deno.test("renderShared renders once per URL, principal, data and status", async () => {
  clearSharedRenders();
  const type = Object.freeze({ name: "t", columns: Object.freeze([Object.freeze({ n: 1 })]) });
  const { ctx, renders } = fakeContext(LOCAL_ADMIN);
  for (let i = 0; i < 3; i++) {
    const res = await renderShared(ctx, { type, run: { id: "a" } });
    assertEquals(await res.text(), JSON.stringify({ type, run: { id: "a" } }));
  }
  assertEquals(renders.length, 1);
  // Different data, status, URL or principal: a render of their own.
  await renderShared(ctx, { type, run: { id: "b" } });
  await renderShared(ctx, { type, run: { id: "a" } }, 403);
  await renderShared(fakeContext(LOCAL_ADMIN, "/?x").ctx, { type, run: { id: "a" } });
  const other = fakeContext(token("ci"));
  await renderShared(other.ctx, { type, run: { id: "a" } });
  await renderShared(fakeContext(token("nightly")).ctx, { type, run: { id: "a" } });
  assertEquals(renders.length + other.renders.length, 3 + 1);
  // An equal but distinct frozen object, or a shallowly frozen one that changed, is new input.
  const twin = Object.freeze({ name: "t", columns: Object.freeze([Object.freeze({ n: 2 })]) });
  await renderShared(ctx, { type: twin, run: { id: "a" } });
  const shallow = Object.freeze({ columns: [{ n: 1 }] });
  await renderShared(ctx, { type: shallow });
  shallow.columns[0].n = 2;
  const res = await renderShared(ctx, { type: shallow });
  assertEquals(await res.text(), JSON.stringify({ type: { columns: [{ n: 2 }] } }));
  assertEquals(renders.length, 3 + 3);
});

Deno.test("renderShared never keeps a page of a session or of nobody", async () => {
  clearSharedRenders();
  const session: Principal = { name: "ulla", role: "uploader", via: "session", csrfToken: "x" };
  for (const principal of [session, null]) {
    const { ctx, renders } = fakeContext(principal);
    await renderShared(ctx, { a: 1 });
    await renderShared(ctx, { a: 1 });
    assertEquals(renders.length, 2);
  }
});

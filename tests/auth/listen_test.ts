/**
 * Where `main.ts` agrees to listen: without users or tokens only on loopback (and it says so),
 * on another address only with `INTAKE_ALLOW_UNAUTHENTICATED=1`; with authentication anywhere.
 * Real subprocesses, as an operator starts them.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { hashApiToken } from "../../server/auth/api_tokens.ts";

const ROOT = new URL("../../", import.meta.url);

function command(dataDir: string, env: Record<string, string>): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", "main.ts"],
    cwd: ROOT,
    env: { PORT: "0", DATABASE_URL: "", INTAKE_DATA_DIR: dataDir, LOG_LEVEL: "info", ...env },
    stdout: "piped",
    stderr: "piped",
  });
}

/** Starts main.ts, runs `fn` with its port once it is ready, stops it; returns its stderr. */
async function serve(env: Record<string, string>, fn: (port: number) => Promise<void>) {
  const dataDir = await Deno.makeTempDir({ prefix: "intake-listen-" });
  const child = command(dataDir, env).spawn();
  const stderr = new Response(child.stderr).text();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await stdout.read();
      if (done) break;
      out += value;
    }
    const ready = /^Fresh ready: http:\/\/[^:]+:(\d+)\/\n$/.exec(out);
    if (!ready) {
      child.kill("SIGKILL");
      throw new Error(`main.ts did not start: ${out}${await stderr}`);
    }
    await fn(Number(ready[1]));
    child.kill("SIGTERM");
    for (let r = await stdout.read(); !r.done; r = await stdout.read()) { /* drain */ }
    assertEquals((await child.status).code, 0);
    return await stderr;
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

function logLines(stderr: string): Array<Record<string, unknown>> {
  return stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

Deno.test("main.ts refuses a non-loopback HOSTNAME without authentication", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "intake-listen-" });
  try {
    const out = await command(dataDir, { HOSTNAME: "0.0.0.0" }).output();
    assertEquals(out.code, 1);
    assertEquals(new TextDecoder().decode(out.stdout), "", "no ready line");
    assertMatch(
      new TextDecoder().decode(out.stderr),
      /^Intake could not start: Refusing to listen on "0\.0\.0\.0" without authentication: anyone who can reach the port would act as admin\. Configure INTAKE_USERS or INTAKE_TOKENS .*INTAKE_ALLOW_UNAUTHENTICATED=1/,
    );
    assertEquals(await Array.fromAsync(Deno.readDir(dataDir)), [], "refused before the database");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("main.ts listens beyond loopback without authentication only when told to", async () => {
  const stderr = await serve(
    { HOSTNAME: "0.0.0.0", INTAKE_ALLOW_UNAUTHENTICATED: "1" },
    async (port) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/runs`);
      assertEquals(res.status, 200, "every request acts as admin");
      await res.body?.cancel();
    },
  );
  const warning = logLines(stderr).find((l) => l.level === "warn");
  assertMatch(String(warning?.msg), /^authentication is off and INTAKE_ALLOW_UNAUTHENTICATED=1/);
  assertEquals(warning?.hostname, "0.0.0.0");
});

Deno.test("main.ts without authentication says it listens on loopback only", async () => {
  const stderr = await serve({ HOSTNAME: "" }, async (port) => {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    assertEquals(res.status, 200);
    await res.body?.cancel();
  });
  const warning = logLines(stderr).find((l) => l.level === "warn");
  assertEquals(
    warning?.msg,
    "authentication is off: listening on loopback only, every request acts as admin",
  );
  assertEquals(warning?.hostname, "127.0.0.1");
});

Deno.test("main.ts with API tokens listens anywhere and wants a token", async () => {
  const token = "intake_listen-test-token";
  const tokens = JSON.stringify([{
    name: "ci",
    role: "uploader",
    tokenHash: await hashApiToken(token),
  }]);
  const stderr = await serve({ HOSTNAME: "0.0.0.0", INTAKE_TOKENS: tokens }, async (port) => {
    const anonymous = await fetch(`http://127.0.0.1:${port}/api/v1/runs`);
    assertEquals(anonymous.status, 401);
    await anonymous.body?.cancel();
    const withToken = await fetch(`http://127.0.0.1:${port}/api/v1/runs`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assertEquals(withToken.status, 200);
    await withToken.body?.cancel();
  });
  assert(!logLines(stderr).some((l) => l.level === "warn"), stderr);
});

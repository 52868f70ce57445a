import { assertEquals, assertMatch, assertThrows, test } from "../../tests/assert.ts";
import { readAuthSettings } from "./auth_settings.ts";
import { checkListenAddress, isLoopbackHost } from "./listen_policy.ts";

const HASH = "$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43);
const SECRET = "s".repeat(32);
const env = (vars: Record<string, string>) => (name: string) => vars[name];

test("readAuthSettings() is off without users or tokens", () => {
  const settings = readAuthSettings(env({}));
  assertEquals(settings.enabled, false);
  assertEquals(settings.allowUnauthenticated, false);
  assertEquals(
    readAuthSettings(env({ INTAKE_ALLOW_UNAUTHENTICATED: "1" })).allowUnauthenticated,
    true,
  );
});

test("readAuthSettings() reads users and tokens from files or inline JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/users.txt`, `alice uploader ${HASH}\n`);
    const fromFile = readAuthSettings(env({
      INTAKE_USERS: `${dir}/users.txt`,
      INTAKE_SESSION_SECRET: SECRET,
    }));
    assertEquals(fromFile.enabled, true);
    assertEquals(fromFile.users.map((u) => u.name), ["alice"]);
    const inline = readAuthSettings(env({ INTAKE_TOKENS: "[]" }));
    assertEquals([inline.enabled, inline.users.length, inline.tokens.length], [true, 0, 0]);
    const missing = assertThrows(() =>
      readAuthSettings(env({ INTAKE_USERS: `${dir}/nope.txt`, INTAKE_SESSION_SECRET: SECRET }))
    ) as Error;
    assertMatch(missing.message, /^Cannot read INTAKE_USERS file ".*nope\.txt": /);
    await Deno.writeTextFile(`${dir}/bad.txt`, `alice root ${HASH}\n`);
    const bad = assertThrows(() =>
      readAuthSettings(env({ INTAKE_USERS: `${dir}/bad.txt`, INTAKE_SESSION_SECRET: SECRET }))
    ) as Error;
    assertMatch(bad.message, /^Invalid INTAKE_USERS file ".*bad\.txt", line 1: role must be/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("readAuthSettings() wants a long session secret with users, and users with a secret", () => {
  const users = JSON.stringify([{ name: "a", role: "admin", passwordHash: HASH }]);
  for (const secret of [undefined, "short"]) {
    const err = assertThrows(() =>
      readAuthSettings(
        env({ INTAKE_USERS: users, ...(secret ? { INTAKE_SESSION_SECRET: secret } : {}) }),
      )
    ) as Error;
    assertMatch(err.message, /^INTAKE_USERS needs INTAKE_SESSION_SECRET of at least 32 characters/);
  }
  const lonely = assertThrows(() =>
    readAuthSettings(env({ INTAKE_SESSION_SECRET: SECRET }))
  ) as Error;
  assertMatch(lonely.message, /^INTAKE_SESSION_SECRET is set but INTAKE_USERS is not/);
  const flag = assertThrows(() =>
    readAuthSettings(env({ INTAKE_ALLOW_UNAUTHENTICATED: "yes" }))
  ) as Error;
  assertMatch(flag.message, /^Invalid INTAKE_ALLOW_UNAUTHENTICATED "yes": use 1 or 0$/);
});

test("isLoopbackHost() knows loopback addresses and names", () => {
  for (
    const host of [
      "127.0.0.1",
      "127.1.2.3",
      "localhost",
      "LOCALHOST.",
      "app.localhost",
      "::1",
      "[::1]",
    ]
  ) {
    assertEquals(isLoopbackHost(host), true, host);
  }
  for (
    const host of [
      "0.0.0.0",
      "::",
      "192.168.1.5",
      "example.com",
      "127.0.0.1.nip.io",
      "localhost.evil.com",
    ]
  ) {
    assertEquals(isLoopbackHost(host), false, host);
  }
});

test("checkListenAddress() refuses a non-loopback address without auth unless allowed", () => {
  const off = readAuthSettings(env({}));
  assertMatch(checkListenAddress({ hostname: "127.0.0.1", auth: off })!, /loopback only/);
  const err = assertThrows(() => checkListenAddress({ hostname: "0.0.0.0", auth: off })) as Error;
  assertMatch(err.message, /^Refusing to listen on "0\.0\.0\.0" without authentication/);
  const allowed = readAuthSettings(env({ INTAKE_ALLOW_UNAUTHENTICATED: "1" }));
  assertMatch(
    checkListenAddress({ hostname: "0.0.0.0", auth: allowed })!,
    /INTAKE_ALLOW_UNAUTHENTICATED=1/,
  );
  const on = readAuthSettings(env({ INTAKE_TOKENS: "[]" }));
  assertEquals(checkListenAddress({ hostname: "0.0.0.0", auth: on }), null);
});

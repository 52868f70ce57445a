import { assert, assertEquals, assertMatch, assertRejects, test } from "../../tests/assert.ts";
import { hashPassword, parsePasswordHash, verifyPassword } from "./password_hash.ts";

test("hashPassword() makes salted scrypt hashes that carry their cost", async () => {
  const a = await hashPassword("hunter2", { logN: 10 });
  const b = await hashPassword("hunter2", { logN: 10 });
  assertMatch(a, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert(a !== b, "a new salt each time");
  assertEquals(parsePasswordHash(a)?.cost, { logN: 10, r: 8, p: 1 });
  assertMatch(await hashPassword("x", { logN: 11, r: 4, p: 2 }), /^\$scrypt\$ln=11,r=4,p=2\$/);
});

test("verifyPassword() accepts the password and nothing else", async () => {
  const hash = await hashPassword("correct horse battery staple", { logN: 10 });
  assertEquals(await verifyPassword("correct horse battery staple", hash), true);
  for (const wrong of ["", "correct horse battery stapl", "Correct horse battery staple"]) {
    assertEquals(await verifyPassword(wrong, hash), false, wrong);
  }
  // A changed byte of the stored key or salt fails too.
  const [, , params, salt, key] = hash.split("$");
  const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
  assertEquals(
    await verifyPassword("correct horse battery staple", `$scrypt$${params}$${flip(salt)}$${key}`),
    false,
  );
  assertEquals(
    await verifyPassword("correct horse battery staple", `$scrypt$${params}$${salt}$${flip(key)}`),
    false,
  );
});

test("verifyPassword() refuses malformed hashes and absurd costs without running them", async () => {
  for (
    const bad of [
      "",
      "hunter2",
      "$2b$10$abcdefghijklmnopqrstuu", // bcrypt
      "$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43), // 2^30: gigabytes
      "$scrypt$ln=15,r=8,p=1$AAAA$" + "A".repeat(43), // salt too short
      "$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA", // key too short
    ]
  ) {
    assertEquals(parsePasswordHash(bad), null, bad);
    assertEquals(await verifyPassword("hunter2", bad), false, bad);
  }
  await assertRejects(() => hashPassword("x", { logN: 4 }));
});

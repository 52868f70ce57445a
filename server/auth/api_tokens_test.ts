import { assert, assertEquals, assertMatch, test } from "../../tests/assert.ts";
import { findToken, hashApiToken, newApiToken } from "./api_tokens.ts";

test("newApiToken() makes distinct prefixed tokens with 256 random bits", () => {
  const a = newApiToken();
  assertMatch(a, /^intake_[A-Za-z0-9_-]{43}$/);
  assert(a !== newApiToken());
});

test("hashApiToken() is the hex SHA-256 of the token", async () => {
  assertEquals(
    await hashApiToken("test"),
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  );
});

test("findToken() finds the entry by hash and refuses near misses", async () => {
  const [ci, ops] = [newApiToken(), newApiToken()];
  const tokens = [
    { name: "ci", role: "uploader" as const, tokenHash: await hashApiToken(ci) },
    { name: "ops", role: "admin" as const, tokenHash: await hashApiToken(ops) },
  ];
  assertEquals((await findToken(tokens, ci))?.name, "ci");
  assertEquals((await findToken(tokens, ops))?.name, "ops");
  for (const wrong of ["", ci.slice(0, -1), ci + "x", ci.toUpperCase(), tokens[0].tokenHash]) {
    assertEquals(await findToken(tokens, wrong), null, wrong);
  }
  assertEquals(await findToken([], ci), null);
});

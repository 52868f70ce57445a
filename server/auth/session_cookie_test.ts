import { assert, assertEquals, assertMatch, test } from "../../tests/assert.ts";
import {
  clearedSessionCookie,
  passwordTag,
  readCookie,
  SESSION_TTL_SECONDS,
  SessionCodec,
  sessionCookie,
} from "./session_cookie.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const ALICE = { name: "alice", passwordHash: "$scrypt$ln=10,r=8,p=1$salt$key" };

test("SessionCodec.read() returns what issue() signed, until it expires", async () => {
  const codec = await SessionCodec.create(SECRET);
  const value = await codec.issue(ALICE, 1_000);
  const session = await codec.read(value, 2_000);
  assertEquals(session?.name, "alice");
  assertEquals(session?.expiresAt, 1_000 + SESSION_TTL_SECONDS * 1000);
  assertEquals(session?.passwordTag, await passwordTag(ALICE.passwordHash));
  assertEquals(await codec.read(value, 1_000 + SESSION_TTL_SECONDS * 1000), null, "expired");
});

test("SessionCodec.read() refuses tampered, foreign and malformed cookies", async () => {
  const codec = await SessionCodec.create(SECRET);
  const value = await codec.issue(ALICE, 0);
  const [body, sig] = value.split(".");
  // The same payload claiming to be another user, signed with the old signature.
  const payload = JSON.parse(
    new TextDecoder().decode(Uint8Array.fromBase64(body, { alphabet: "base64url" })),
  );
  const forged = new TextEncoder().encode(JSON.stringify({ ...payload, u: "admin" }))
    .toBase64({ alphabet: "base64url", omitPadding: true });
  const other = await SessionCodec.create(SECRET.replace("0", "1"));
  const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
  for (
    const bad of [
      `${forged}.${sig}`,
      `${body}.${flip(sig)}`,
      `${flip(body)}.${sig}`,
      await other.issue(ALICE, 0),
      body,
      `${body}.${sig}.x`,
      "",
      "not base64!.x",
    ]
  ) {
    assertEquals(await codec.read(bad, 1), null, bad);
  }
});

test("SessionCodec.csrfToken() is fixed per session and differs between sessions", async () => {
  const codec = await SessionCodec.create(SECRET);
  const a = (await codec.read(await codec.issue(ALICE, 0), 1))!;
  const b = (await codec.read(await codec.issue(ALICE, 0), 1))!;
  assertEquals(await codec.csrfToken(a.nonce), await codec.csrfToken(a.nonce));
  assert(await codec.csrfToken(a.nonce) !== await codec.csrfToken(b.nonce));
  assertMatch(await codec.csrfToken(a.nonce), /^[A-Za-z0-9_-]{43}$/);
});

test("session cookies are HttpOnly, SameSite=Lax, and Secure over https", () => {
  assertEquals(
    sessionCookie("v", false),
    `intake_session=v; Path=/; Max-Age=${SESSION_TTL_SECONDS}; HttpOnly; SameSite=Lax`,
  );
  assertMatch(sessionCookie("v", true), /; HttpOnly; SameSite=Lax; Secure$/);
  assertMatch(clearedSessionCookie(true), /^intake_session=; Path=\/; Max-Age=0; .*Secure$/);
});

test("readCookie() finds one cookie among several", () => {
  const req = new Request("http://x/", { headers: { cookie: "a=1; intake_session=v.w; b=2" } });
  assertEquals(readCookie(req, "intake_session"), "v.w");
  assertEquals(readCookie(req, "c"), null);
  assertEquals(readCookie(new Request("http://x/"), "a"), null);
});

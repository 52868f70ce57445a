import { assertEquals, assertMatch, assertThrows, test } from "../../tests/assert.ts";
import { parseTokens, parseUsers } from "./credentials.ts";

const HASH = "$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43);
const TOKEN_HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

test("parseUsers() reads lines of name, role and hash, skipping comments and blanks", () => {
  const text = `# name role hash\n\nalice uploader ${HASH}\r\n  bob\treviewer   ${HASH}  \n`;
  assertEquals(parseUsers(text, "users.txt"), [
    { name: "alice", role: "uploader", passwordHash: HASH },
    { name: "bob", role: "reviewer", passwordHash: HASH },
  ]);
});

test("parseUsers() reads a JSON array", () => {
  const json = JSON.stringify([{ name: "carol@example.com", role: "admin", passwordHash: HASH }]);
  assertEquals(parseUsers(json, "INTAKE_USERS"), [
    { name: "carol@example.com", role: "admin", passwordHash: HASH },
  ]);
});

test("parseUsers() names the source and line of a mistake", () => {
  const cases: Array<[string, RegExp]> = [
    [
      `alice root ${HASH}`,
      /^Invalid users\.txt, line 1: role must be one of uploader, reviewer, admin$/,
    ],
    [
      `alice uploader`,
      /^Invalid users\.txt, line 1: expected name role passwordHash, found 2 fields$/,
    ],
    [`\nalice uploader hunter2`, /^Invalid users\.txt, line 2: passwordHash is not a scrypt hash/],
    [`-alice uploader ${HASH}`, /^Invalid users\.txt, line 1: names are 1–64 letters/],
    [
      `alice uploader ${HASH}\nalice admin ${HASH}`,
      /^Invalid users\.txt: user "alice" appears twice$/,
    ],
    [`[{"name": "alice"`, /^Invalid users\.txt: not valid JSON/],
    [
      `[{"name": "a", "role": "admin", "passwordHash": "${HASH}", "x": 1}]`,
      /^Invalid users\.txt at \[0\]: /,
    ],
  ];
  for (const [text, message] of cases) {
    const err = assertThrows(() => parseUsers(text, "users.txt")) as Error;
    assertMatch(err.message, message, text);
    assertEquals(err.name, "TypeError");
  }
});

test("parseTokens() reads names, roles and SHA-256 hashes", () => {
  assertEquals(parseTokens(`ci uploader ${TOKEN_HASH}`, "tokens.txt"), [
    { name: "ci", role: "uploader", tokenHash: TOKEN_HASH },
  ]);
  const err = assertThrows(() =>
    parseTokens(`ci uploader ${TOKEN_HASH.toUpperCase()}`, "t")
  ) as Error;
  assertMatch(err.message, /line 1: tokenHash must be 64 lower-case hex digits/);
  const twice = assertThrows(() =>
    parseTokens(`a uploader ${TOKEN_HASH}\nb admin ${TOKEN_HASH}`, "t")
  ) as Error;
  assertMatch(twice.message, /token hash "9f86.*" appears twice/);
});

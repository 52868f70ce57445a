import { assertEquals, assertMatch, test } from "../../tests/assert.ts";
import { findToken } from "./api_tokens.ts";
import { parseTokens, parseUsers } from "./credentials.ts";
import { verifyPassword } from "./password_hash.ts";

const CLI = new URL("./cli.ts", import.meta.url).pathname;

async function run(
  args: string[],
  stdin = "",
): Promise<{ code: number; out: string; err: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", CLI, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

test("hash-password prints a users-file line whose hash verifies the password", async () => {
  const { code, out } = await run(
    ["hash-password", "alice", "uploader", "--cost=10"],
    "s3cret pw\n",
  );
  assertEquals(code, 0);
  const [user] = parseUsers(out, "output");
  assertEquals([user.name, user.role], ["alice", "uploader"]);
  assertEquals(await verifyPassword("s3cret pw", user.passwordHash), true);
  assertEquals(await verifyPassword("s3cret", user.passwordHash), false);
});

test("hash-password without a name prints the hash alone, at the default cost", async () => {
  const { code, out } = await run(["hash-password"], "pw\n");
  assertEquals(code, 0);
  assertMatch(out, /^\$scrypt\$ln=15,r=8,p=1\$\S+\n$/);
});

test("new-token prints a token and the tokens-file line of its hash", async () => {
  const { code, out } = await run(["new-token", "ci", "reviewer"]);
  assertEquals(code, 0);
  const [, token, , line] = out.trim().split("\n");
  assertMatch(token, /^intake_[\w-]{43}$/);
  const tokens = parseTokens(line, "output");
  assertEquals((await findToken(tokens, token))?.role, "reviewer");
  assertEquals(out.split(token).length, 2, "the token itself is printed once");
});

test("the credentials CLI refuses unknown roles, empty passwords and bad usage", async () => {
  const cases: Array<[string[], string, RegExp]> = [
    [["hash-password", "alice", "root"], "pw\n", /^Unknown role "root"/],
    [["hash-password"], "\n", /^The password is empty/],
    [["new-token", "ci"], "", /^Usage:/],
    [["whatever"], "", /^Usage:/],
  ];
  for (const [args, stdin, message] of cases) {
    const { code, out, err } = await run(args, stdin);
    assertEquals([code, out], [2, ""], args.join(" "));
    assertMatch(err, message);
  }
});

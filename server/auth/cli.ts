/**
 * Credentials for the users and tokens files:
 *
 *     deno task hash-password [name role] [--cost=15]   # reads the password, prints its hash
 *     deno task new-token name role                     # prints a new token and its file line
 *
 * The password is read without echo from a terminal, or as the first line of piped input. With a
 * name and role the output is a whole line for the `INTAKE_USERS` file.
 *
 * @module
 */
import { hashApiToken, newApiToken } from "./api_tokens.ts";
import { hashPassword } from "./password_hash.ts";
import { isRole, ROLES } from "./roles.ts";

const USAGE = `Usage:
  deno task hash-password [name role] [--cost=15]
  deno task new-token name role
Roles: ${ROLES.join(", ")}`;

/** Runs one command; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const flags = rest.filter((a) => a.startsWith("--"));
  const words = rest.filter((a) => !a.startsWith("--"));
  const cost = flags.map((f) => /^--cost=(\d+)$/.exec(f)?.[1]).find(Boolean);
  const unknown = flags.filter((f) => !/^--cost=\d+$/.test(f));
  if (unknown.length || (words.length !== 0 && words.length !== 2)) return usage();
  if (words.length === 2 && !isRole(words[1])) return usage(`Unknown role "${words[1]}"`);
  if (command === "hash-password") {
    const password = await readPassword();
    if (password === "") return usage("The password is empty");
    const hash = await hashPassword(password, cost ? { logN: Number(cost) } : {});
    console.log(words.length ? `${words[0]} ${words[1]} ${hash}` : hash);
    return 0;
  }
  if (command === "new-token" && words.length === 2 && !cost) {
    const token = newApiToken();
    console.log(`Token (give it to the client; it is not stored anywhere):\n${token}`);
    console.log(
      `Line for the INTAKE_TOKENS file:\n${words[0]} ${words[1]} ${await hashApiToken(token)}`,
    );
    return 0;
  }
  return usage();
}

function usage(problem?: string): number {
  console.error(problem ? `${problem}\n\n${USAGE}` : USAGE);
  return 2;
}

async function readPassword(): Promise<string> {
  if (!Deno.stdin.isTerminal()) {
    const text = await new Response(Deno.stdin.readable).text();
    return text.split(/\r?\n/)[0];
  }
  const first = await promptHidden("Password: ");
  const again = await promptHidden("Again: ");
  if (first !== again) throw new Error("The passwords differ");
  return first;
}

// Raw mode keeps the password off the screen; Enter ends it, Ctrl-C aborts.
async function promptHidden(label: string): Promise<string> {
  const encoder = new TextEncoder();
  await Deno.stderr.write(encoder.encode(label));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  try {
    const buffer = new Uint8Array(64);
    for (;;) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) break;
      for (const byte of buffer.subarray(0, n)) {
        if (byte === 3) throw new Error("Cancelled");
        if (byte === 13 || byte === 10) return new TextDecoder().decode(new Uint8Array(bytes));
        if (byte === 127 || byte === 8) bytes.pop();
        else bytes.push(byte);
      }
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(encoder.encode("\n"));
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    Deno.exit(1);
  }
}

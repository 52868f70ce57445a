/**
 * Reading the users and API tokens an operator configured (`INTAKE_USERS`, `INTAKE_TOKENS`).
 * Either value is JSON (an array of objects) or a plain text file with one entry per line:
 *
 *     # name   role       password hash (deno task hash-password)
 *     alice    uploader   $scrypt$ln=15,r=8,p=1$…$…
 *
 *     # name   role       token SHA-256 (deno task new-token)
 *     ci       uploader   9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 *
 * @module
 */
import { z } from "zod";
import type { TokenEntry } from "./api_tokens.ts";
import { parsePasswordHash } from "./password_hash.ts";
import { ROLES } from "./roles.ts";
import type { Role } from "./roles.ts";

/** A user as configured. */
export interface UserEntry {
  name: string;
  role: Role;
  passwordHash: string;
}

const NAME = z.string().regex(
  /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/,
  "names are 1–64 letters, digits and . _ @ + -, starting with a letter or digit",
);
const ROLE = z.enum(ROLES, { error: `role must be one of ${ROLES.join(", ")}` });
const User = z.object({
  name: NAME,
  role: ROLE,
  passwordHash: z.string().refine((h) => parsePasswordHash(h) !== null, {
    message: "passwordHash is not a scrypt hash from deno task hash-password",
  }),
}).strict();
const Token = z.object({
  name: NAME,
  role: ROLE,
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/, "tokenHash must be 64 lower-case hex digits"),
}).strict();

/** Parses users from JSON or lines of `name role passwordHash`; throws `TypeError` naming `source`. */
export function parseUsers(text: string, source: string): UserEntry[] {
  const users = parseEntries(text, source, User, ["name", "role", "passwordHash"]);
  rejectDuplicates(users.map((u) => u.name), source, "user");
  return users;
}

/** Parses tokens from JSON or lines of `name role tokenHash`; throws `TypeError` naming `source`. */
export function parseTokens(text: string, source: string): TokenEntry[] {
  const tokens = parseEntries(text, source, Token, ["name", "role", "tokenHash"]);
  rejectDuplicates(tokens.map((t) => t.tokenHash), source, "token hash");
  return tokens;
}

function parseEntries<T>(
  text: string,
  source: string,
  schema: z.ZodType<T>,
  fields: readonly string[],
): T[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new TypeError(`Invalid ${source}: not valid JSON (${(err as Error).message})`);
    }
    const result = z.array(schema).safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue.path.length ? ` at [${issue.path.join("][")}]` : "";
      throw new TypeError(`Invalid ${source}${where}: ${issue.message}`);
    }
    return result.data;
  }
  const entries: T[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const content = line.trim();
    if (content === "" || content.startsWith("#")) return;
    const parts = content.split(/\s+/);
    if (parts.length !== fields.length) {
      throw new TypeError(
        `Invalid ${source}, line ${i + 1}: expected ${
          fields.join(" ")
        }, found ${parts.length} fields`,
      );
    }
    const result = schema.safeParse(Object.fromEntries(fields.map((f, j) => [f, parts[j]])));
    if (!result.success) {
      throw new TypeError(`Invalid ${source}, line ${i + 1}: ${result.error.issues[0].message}`);
    }
    entries.push(result.data);
  });
  return entries;
}

function rejectDuplicates(values: string[], source: string, what: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new TypeError(`Invalid ${source}: ${what} "${value}" appears twice`);
    seen.add(value);
  }
}

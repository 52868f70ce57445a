import { CSRF_FIELD } from "../server/auth/csrf.ts";

/** The hidden anti-CSRF field of a server-rendered form; nothing when there is no session. */
export function CsrfField({ token }: { token: string | null }) {
  return token ? <input type="hidden" name={CSRF_FIELD} value={token} /> : null;
}

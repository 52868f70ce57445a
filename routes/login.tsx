import type { Handlers, PageProps } from "$fresh/server.ts";
import { IngestError } from "../core/errors.ts";
import { checkSignIn } from "../server/auth/access.ts";
import { sessionCookie } from "../server/auth/session_cookie.ts";
import { errorHeaders } from "../server/http_errors.ts";
import { readQuery, text } from "../server/query_params.ts";
import { isHttps } from "../server/security_headers.ts";
import type { AppState } from "../server/services.ts";

interface LoginPage {
  /** Where to go after signing in (a path on this site). */
  next: string;
  name: string;
  error: string | null;
  /** `form` normally; `open` without authentication; `tokens_only` when only tokens are set. */
  mode: "form" | "open" | "tokens_only";
  signedInAs: string | null;
}

/** The query parameters this page reads: where to go after signing in. */
export const query = { next: text(2048) };

/** The sign-in form; POST checks the password and sets the session cookie (303 to `next`). */
export const handler: Handlers<LoginPage, AppState> = {
  GET(_req, ctx) {
    return ctx.render(page(ctx.state, safeNext(readQuery(ctx.url, query).next)));
  },
  async POST(req, ctx) {
    const { access } = ctx.state.services;
    const form = await req.formData().catch(() => new FormData());
    const name = String(form.get("name") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const next = safeNext(form.get("next"));
    const base = { ...page(ctx.state, next), name };
    if (!access.sessions) return ctx.render(base, { status: 404 });
    const addr = "hostname" in ctx.remoteAddr ? ctx.remoteAddr.hostname : "local";
    const decision = access.signInLimiter.take(`${addr}|${name.toLowerCase()}`);
    if (!decision.ok) {
      const error = new IngestError(
        "rate_limited",
        `Too many sign-in attempts: try again in ${decision.retryAfterSeconds} s`,
        { retryAfterSeconds: decision.retryAfterSeconds },
      );
      return ctx.render({ ...base, error: error.message }, {
        status: 429,
        headers: errorHeaders(error),
      });
    }
    const user = await checkSignIn(access, name, password);
    if (!user) {
      const error = new IngestError("unauthorized", "Wrong name or password", {});
      return ctx.render({ ...base, error: error.message }, {
        status: 401,
        headers: errorHeaders(error),
      });
    }
    const cookie = sessionCookie(await access.sessions.issue(user), isHttps(req));
    return new Response(null, { status: 303, headers: { location: next, "set-cookie": cookie } });
  },
};

function page(state: AppState, next: string): LoginPage {
  const { access } = state.services;
  return {
    next,
    name: "",
    error: null,
    mode: !access.enabled ? "open" : access.sessions ? "form" : "tokens_only",
    signedInAs: state.principal?.via === "session" ? state.principal.name : null,
  };
}

/** A path on this site to return to; anything else (other hosts, `//x`, `/\x`) becomes `/`. */
export function safeNext(value: unknown): string {
  if (typeof value !== "string" || !/^\/(?![/\\])[\x21-\x7e]*$/.test(value)) return "/";
  return /^\/(login|logout)\b/.test(value) ? "/" : value;
}

/** `/login`: name and password. */
export default function Login({ data }: PageProps<LoginPage>) {
  if (data.mode === "open") {
    return (
      <div class="empty-state">
        <h1>No sign-in needed</h1>
        <p>This server runs without authentication, on this machine only.</p>
        <p>
          <a href="/">Upload types</a>
        </p>
      </div>
    );
  }
  if (data.mode === "tokens_only") {
    return (
      <div class="empty-state">
        <h1>Sign-in is not configured</h1>
        <p>This server accepts API tokens only (no users are configured).</p>
      </div>
    );
  }
  return (
    <>
      <h1>Sign in</h1>
      {data.signedInAs && <p class="muted">You are signed in as {data.signedInAs}.</p>}
      <form class="panel login-form" method="post" action="/login">
        <input type="hidden" name="next" value={data.next} />
        <label>
          Name
          <input name="name" value={data.name} autocomplete="username" required autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {data.error && <p class="form-error" role="alert">{data.error}</p>}
        <p class="actions">
          <button type="submit">Sign in</button>
        </p>
      </form>
    </>
  );
}

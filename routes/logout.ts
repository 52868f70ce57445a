import type { Handlers } from "$fresh/server.ts";
import { clearedSessionCookie } from "../server/auth/session_cookie.ts";
import { isHttps } from "../server/security_headers.ts";
import type { AppState } from "../server/services.ts";

/** `POST /logout`: removes the session cookie and goes to the sign-in page. */
export const handler: Handlers<unknown, AppState> = {
  POST(req) {
    return new Response(null, {
      status: 303,
      headers: { location: "/login", "set-cookie": clearedSessionCookie(isHttps(req)) },
    });
  },
};

/**
 * Which answers a page on another origin may read (Fetch standard, CORS protocol).
 *
 * The published documents — RFC 8414 metadata, the JWKS, WS-Federation metadata, the WSDL — and
 * the health check are public and the same for every caller, so any origin may read them, as
 * Azure AD, Keycloak, Auth0 and Okta serve theirs: `Access-Control-Allow-Origin: *`, never with
 * credentials (the Fetch standard forbids `*` with them, and none is needed to read a public
 * document). Everything else — the token, introspection and revocation endpoints, the admin API,
 * the WS-Trust endpoints and /wsfed — authenticates with secrets or cookies and sends no CORS
 * header at all, so a browser keeps its answers from every page but the STS's own.
 */
import { ANY_ORIGIN, NOSNIFF } from "./headers.ts";

/** The methods a public document answers, and so the only ones a preflight is granted for. */
const READ_METHODS = ["GET", "HEAD"];

/**
 * How long a browser may reuse a granted preflight. Browsers cap it (Chromium at 2 hours,
 * Firefox at 24); the documents it covers keep their own cache lifetime.
 */
const PREFLIGHT_MAX_AGE = "86400";

const readable = new WeakSet<object>();

/**
 * Marks a route handler as serving a public document: a CORS preflight for its address is
 * granted (app.ts), where the handler answers at all. The handler itself sends {@link ANY_ORIGIN}
 * (in `PUBLIC_DOCUMENT`, web/headers.ts) with what it serves, and only with that: an address it
 * hands on to the 404/405 keeps no CORS header.
 */
export function publicDocument<H extends object>(handler: H): H {
  readable.add(handler);
  return handler;
}

/** Whether `handler` was marked by {@link publicDocument}. */
export function servesPublicDocument(handler: unknown): boolean {
  return typeof handler === "function" && readable.has(handler);
}

/**
 * Whether `req` is a CORS preflight (Fetch standard §3.2.2): an OPTIONS naming the method the
 * page means to send, from a page with an origin.
 */
export function isPreflight(req: Request): boolean {
  return req.method === "OPTIONS" && req.headers.has("origin") && req.headers.has("access-control-request-method");
}

/**
 * The grant of a preflight at a public document's address: 204 with the methods it answers,
 * any request header (a wildcard, valid without credentials, which never covers
 * `Authorization`), and how long to remember it. Undefined when the page means another method:
 * that preflight is refused like any other.
 */
export function grantPreflight(req: Request): Response | undefined {
  if (!READ_METHODS.includes(req.headers.get("access-control-request-method") ?? "")) return undefined;
  return new Response(null, {
    status: 204,
    headers: {
      ...ANY_ORIGIN,
      "Access-Control-Allow-Methods": READ_METHODS.join(", "),
      "Access-Control-Allow-Headers": "*",
      "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
      ...NOSNIFF,
    },
  });
}

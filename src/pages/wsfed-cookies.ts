/**
 * The cookies of browser sign-in: their names and attributes, and how a request's are read.
 *
 * A cookie can be tossed: a sibling host sets one for the parent domain (`Domain=example.org`), a
 * man in the middle answers a plain-http request with one, or a more specific `Path` puts one
 * first; each arrives under our cookie's name. A tossed session cookie is one of ours for the
 * attacker's user (its MAC verifies), a tossed form binding matches the attacker's own form: the
 * victim's next sign-in lands at the relying party as the attacker (login CSRF). So:
 *
 * - Every cookie that is Secure is named `__Host-<name>` (RFC 6265bis §4.1.3.2): a browser keeps
 *   such a cookie only when this very host set it over a secure origin with `Path=/` and no
 *   `Domain`, so nobody else can set one. Every cookie here has `Path=/` so that the prefix
 *   applies; a further realm gets names of its own (`<name>.<realm>`), since realms reached
 *   through path prefixes share a host.
 * - Cookies are not Secure only on a plain-http loopback origin (development, where a browser may
 *   refuse a Secure cookie): no prefix can protect them, so a name that arrives more than once is
 *   read as absent (no session, no form binding). Picking one, even one whose MAC verifies, might
 *   pick the attacker's; absent costs the user a sign-in, never the wrong one.
 */
import { isLoopbackHost } from "../config/loopback.ts";

/**
 * A cookie of browser sign-in. The session cookie and the form binding are SameSite=Lax: the
 * relying party's redirect to us is a top-level GET, which carries them, and a cross-site post
 * does not; cookies a partner's cross-site post must carry are None, and so always Secure.
 */
export interface CookieSpec {
  name: string;
  sameSite: "Lax" | "None";
}

/** A request's cookies of browser sign-in, and the Set-Cookie values of its answer. */
export interface CookieJar {
  /** The value of the request's cookie, when exactly one of its name came. */
  get(spec: CookieSpec): string | undefined;
  /** The Set-Cookie value; without a Max-Age the cookie lasts as long as the browser session. */
  set(spec: CookieSpec, value: string, maxAgeSeconds?: number): string;
}

/** The jar of a request to `requestUrl` (serialized by the runtime), for `realm` (a further realm's name). */
export function cookieJar(requestUrl: string, realm: string | undefined, header: string | null): CookieJar {
  // scheme "://" host [":" port] path: only plain http to a loopback name goes without Secure.
  const hostAt = requestUrl.indexOf("://") + 3;
  let pathAt = requestUrl.indexOf("/", hostAt);
  if (pathAt < 0) pathAt = requestUrl.length;
  const local = requestUrl.startsWith("http://") && isLoopbackHost(hostName(requestUrl.slice(hostAt, pathAt)));
  // SameSite=None needs Secure everywhere; browsers accept Secure cookies from loopback http.
  const secure = (s: CookieSpec) => !local || s.sameSite === "None";
  const nameOf = (s: CookieSpec) => `${secure(s) ? "__Host-" : ""}${s.name}${realm === undefined ? "" : `.${realm}`}`;
  const sent = readCookies(header);
  return {
    get: (s) => sent.get(nameOf(s)) ?? undefined,
    set: (s, value, maxAgeSeconds) => {
      const age = maxAgeSeconds === undefined ? "" : `; Max-Age=${Math.max(0, maxAgeSeconds)}`;
      return `${nameOf(s)}=${value}; Path=/${age}; HttpOnly; SameSite=${s.sameSite}${secure(s) ? "; Secure" : ""}`;
    },
  };
}

/** The request's cookies by name; null for a name that came more than once. */
function readCookies(header: string | null): Map<string, string | null> {
  const jar = new Map<string, string | null>();
  if (!header) return jar;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    jar.set(name, jar.has(name) ? null : part.slice(i + 1).trim());
  }
  return jar;
}

/** The host name of a serialized URL's `host[:port]`. */
function hostName(host: string): string {
  const colon = host.lastIndexOf(":");
  return colon > host.lastIndexOf("]") ? host.slice(0, colon) : host;
}

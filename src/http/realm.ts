/**
 * Which realm a request is for, decided once per request from its URL, before anything reads
 * configuration, keys or state.
 *
 * - A host that a further realm lists selects that realm (any port).
 * - A path under `/realms/<segment>` selects the realm whose `pathPrefix` it is; the host must
 *   then be one of that realm's own hosts or one the first realm serves. The router strips the
 *   prefix (`routingPath`), so every route of the first realm exists under it. A well-known
 *   document is found there too and, as RFC 8414 §3.1 builds its address for an issuer with a
 *   path, at `/.well-known/<name>/realms/<segment>`. That address is also the RFC 8414 §3.1
 *   address of an explicit issuer whose path is `/realms/<segment>`: when no realm has that
 *   prefix, it is the document of the host's realm if that realm's issuer has that path.
 * - Anything else is the first realm, unless the first realm lists `hosts` and the host is not
 *   one of them.
 *
 * A request that names a realm we do not serve — an unknown prefix, a prefix of one realm at a
 * host of another, an unlisted host when hosts are listed — is refused (`unknown_realm`, 404):
 * never answered with another realm's keys or documents.
 */
import type { Realm, ResolvedConfig } from "../config/types.ts";
import { REALM_PATH_ROOT } from "../config/realms.ts";
import { issuerPath } from "../oauth/metadata.ts";
import { StsError } from "../errors.ts";

/** The realm a request is for: its configuration and the base of every URL we publish for it. */
export interface RealmSelection {
  config: ResolvedConfig;
  /** The request origin, followed by the realm's path prefix when the request came through it. */
  base: string;
}

interface Routing {
  byHost: Map<string, Realm>;
  byPrefix: Map<string, Realm>;
  /** The first realm's hosts; undefined: every host no further realm lists. */
  topHosts: Set<string> | undefined;
}

const routings = new WeakMap<ResolvedConfig, Routing | null>();

function routingOf(top: ResolvedConfig): Routing | null {
  let r = routings.get(top);
  if (r === undefined) {
    if (top.realms === undefined && top.hosts === undefined) r = null;
    else {
      r = { byHost: new Map(), byPrefix: new Map(), topHosts: top.hosts && new Set(top.hosts) };
      for (const realm of top.realms ?? []) {
        for (const h of realm.hosts) r.byHost.set(h, realm);
        if (realm.pathPrefix !== undefined) r.byPrefix.set(realm.pathPrefix, realm);
      }
    }
    routings.set(top, r);
  }
  return r;
}

/**
 * The realm of the request at `url` (`request.url`: the runtime writes the Host header into it
 * as sent, in its case and with its port, and the request target after it) whose origin is
 * `origin` (parsed, WHATWG URL).
 * @throws StsError unknown_realm, bad_request
 */
export function selectRealm(top: ResolvedConfig, url: string, origin: string): RealmSelection {
  // The runtime builds the URL from the Host header as sent, without checking it: a Host that
  // is no `uri-host [":" port]` (RFC 9110 §7.2) — userinfo (`x@host`), or a "?", "#" or "\"
  // (`host?x`, read as the start of a query by the URL parser) — is refused, so that the realm
  // (read from the parsed origin and from this path), the router's path and every address built
  // from the origin name the same resource. The path is read where the URL's own authority
  // ends, so a Host naming its scheme's default port (`host:443`), which the URL keeps and the
  // origin drops, is served.
  const path = pathStart(url);
  if (path === -1 || !isAuthority(url, url.indexOf(":") + 3, path)) throw badHost();
  const wellKnown = wellKnownLength(url, path);
  const prefix = realmPrefix(url, path + wellKnown);
  const routing = routingOf(top);
  if (routing === null) {
    // A single-realm configuration: only a path in the realms folder is not ours, but for the
    // RFC 8414 §3.1 address of an issuer whose path is in that folder.
    if (prefix !== undefined && !(wellKnown > 0 && isIssuerPathAt(top, url, path + wellKnown))) throw unknownRealm(url);
    return { config: top, base: origin };
  }
  const host = hostOf(origin);
  const byHost = routing.byHost.get(host);
  const hostRealm = byHost?.config ?? (routing.topHosts === undefined || routing.topHosts.has(host) ? top : undefined);
  if (prefix !== undefined) {
    const realm = routing.byPrefix.get(prefix);
    if (realm === undefined) {
      // No realm's prefix: the well-known document of the host's realm when its explicit issuer
      // has this very path (RFC 8414 §3.1: `https://sts.example.com/realms/acme`, as Keycloak
      // names its issuers, has its metadata at `/.well-known/<name>/realms/acme`).
      if (hostRealm !== undefined && wellKnown > 0 && isIssuerPathAt(hostRealm, url, path + wellKnown)) return { config: hostRealm, base: origin };
      throw unknownRealm(url);
    }
    if (byHost !== undefined && byHost !== realm) throw unknownRealm(url);
    if (hostRealm === undefined) throw unknownRealm(url);
    return { config: realm.config, base: origin + prefix };
  }
  if (hostRealm === undefined) throw unknownRealm(url);
  return { config: hostRealm, base: origin };
}

/**
 * Whether the URL's path from `at` to its end (before any query) is exactly the path of the
 * realm's explicit issuer: that issuer's RFC 8414 §3.1 metadata address, once the well-known
 * name before `at` is taken off.
 */
function isIssuerPathAt(config: ResolvedConfig, url: string, at: number): boolean {
  if (config.issuer === undefined) return false;
  const own = issuerPath(config.issuer);
  if (own === undefined || !url.startsWith(own, at)) return false;
  const end = at + own.length;
  return end === url.length || url.charCodeAt(end) === 0x3f || url.charCodeAt(end) === 0x23; // "?", "#"
}

/** Where an http(s) URL's path starts: the first "/" after "scheme://". */
function pathStart(url: string): number {
  return url.indexOf("/", url.indexOf(":") + 3);
}

/**
 * Whether `url[from, to)` is made only of what RFC 3986 §3.2.2-3.2.3 allows in a host and port:
 * unreserved characters, percent-encodings, sub-delims, ":" and the brackets of an IP literal.
 * Not "@" (userinfo), nor "/", "?", "#", "\", quotes, braces or spaces, which end or bend the
 * authority for a URL parser.
 */
function isAuthority(url: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) if (!AUTHORITY_CHARS[url.charCodeAt(i)]) return false;
  return true;
}

const AUTHORITY_CHARS: boolean[] = [];
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+,;=:[]") AUTHORITY_CHARS[c.charCodeAt(0)] = true;

function badHost(): StsError {
  return new StsError("bad_request", "The Host header must be a host name with an optional port.");
}

/** `url`: the request's, the address that names no endpoint here (a SOAP fault's wsa:ProblemIRI). */
function unknownRealm(url: string): StsError {
  return new StsError("unknown_realm", "No realm is served at this host and path.", undefined, { iri: url });
}

const WELL_KNOWN_ROOT = "/.well-known/";

/**
 * The length of `/.well-known/<name>` when the path (starting at `at`) is a well-known name
 * followed by the realms folder, else 0: where that realm's well-known document is asked for.
 */
function wellKnownLength(url: string, at: number): number {
  if (!url.startsWith(WELL_KNOWN_ROOT, at)) return 0;
  const end = url.indexOf("/", at + WELL_KNOWN_ROOT.length);
  return end !== -1 && url.startsWith(REALM_PATH_ROOT, end) ? end - at : 0;
}

/** `/realms/<segment>` when the path (starting at `at`) is in the realms folder, else undefined. */
function realmPrefix(url: string, at: number): string | undefined {
  if (!url.startsWith(REALM_PATH_ROOT, at)) return undefined;
  let end = at + REALM_PATH_ROOT.length;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 0x2f || c === 0x3f || c === 0x23) break; // "/", "?", "#"
    end++;
  }
  return url.slice(at, end);
}

/**
 * The host name of a serialized origin ("scheme://host[:port]"): lower case, no port, and no
 * trailing dot — `realm2.example.` is the fully qualified spelling of `realm2.example`, the same
 * name to DNS, so it selects the same realm.
 */
let lastOrigin = "";
let lastHost = "";
function hostOf(origin: string): string {
  if (origin === lastOrigin) return lastHost;
  const start = origin.indexOf("//") + 2;
  const end = origin.charCodeAt(start) === 0x5b ? origin.indexOf("]", start) + 1 : origin.indexOf(":", start);
  const host = end > start ? origin.slice(start, end) : origin.slice(start);
  lastOrigin = origin;
  return (lastHost = host.endsWith(".") ? host.slice(0, -1) : host);
}

/**
 * The path the router matches, given the URL and the path the router would match (decoded):
 * without its `/realms/<segment>` prefix, so a realm reached by its prefix has every route. The
 * prefix is stripped only when the URL itself starts with it; a path that spells the realms
 * folder only once decoded keeps it, and no route lives there (404), so the route matched and
 * the realm selected (from the URL as sent) always agree.
 */
export function routingPath(url: string, decodedPath: string): string {
  const at = pathStart(url);
  if (decodedPath.startsWith(WELL_KNOWN_ROOT)) {
    // `/.well-known/<name>/realms/<segment>` is `/.well-known/<name>` in that realm; the name's
    // length is taken from the URL as sent, where the decoded path must spell it the same.
    const name = at === -1 ? 0 : wellKnownLength(url, at);
    if (name === 0 || url.slice(at, at + name) !== decodedPath.slice(0, name)) return decodedPath;
    const rest = decodedPath.slice(name);
    const end = rest.indexOf("/", REALM_PATH_ROOT.length);
    return end === -1 && rest.startsWith(REALM_PATH_ROOT) ? decodedPath.slice(0, name) : decodedPath;
  }
  if (!decodedPath.startsWith(REALM_PATH_ROOT)) return decodedPath;
  if (at === -1 || !url.startsWith(REALM_PATH_ROOT, at)) return decodedPath;
  const end = decodedPath.indexOf("/", REALM_PATH_ROOT.length);
  return end === -1 ? "/" : decodedPath.slice(end);
}

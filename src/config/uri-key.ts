/**
 * When two URIs name the same party: relying-party identifiers and aliases among themselves and
 * against a request's AppliesTo / audience / resource / wtrealm, and this STS's issuers among
 * realms. One function for configuration and requests alike, so that what configuration refuses
 * as a duplicate is exactly what a request would find twice.
 */
import { isolateCaches } from "../cache.ts";
import { trimXmlSpace } from "../xml/xs.ts";

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const WITH_AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;
// RFC 8141 §2: "urn:" NID ":" NSS; an NID is 2 to 32 letters, digits and inner hyphens.
const URN = /^urn:([A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9]):(.*)$/is;
const PERCENT = /%[0-9a-fA-F]{2}/g;
/** RFC 3986 §6.2.3: a scheme's default port is no port. */
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: "80", https: "443" };

/**
 * The comparison form of a URI (surrounding space, tab, CR and LF ignored — the white space
 * pretty-printed XML and copied configuration put around a value; a no-break space or another
 * Unicode space is a character of the URI, and such a URI names no configured party):
 * - RFC 3986 §6.2.2.1: the scheme and the host in lower case, the hex digits of every
 *   percent-encoding in upper case (userinfo, path and query are otherwise case-sensitive);
 * - RFC 3986 §6.2.3: http and https without their default port, and with `/` for an empty path;
 * - RFC 8141 §3.1: a URN's `urn:` and namespace identifier in lower case, its namespace-specific
 *   string as it is (`urn:example:rp` and `URN:Example:rp` are one name, `urn:example:RP` another);
 * - and one trailing `/` of a URL ignored, so `https://api.example.com` and
 *   `https://api.example.com/` name one party.
 */
export function uriKey(uri: string): string {
  const known = remembered.get(uri);
  if (known !== undefined) return known;
  const key = keyOf(uri);
  remembered.set(uri, key);
  return key;
}

/**
 * Every request compares its target with the configured parties and a client's allowed list
 * this way, mostly the same few URIs over and over: their keys are remembered (bounded like
 * every isolate cache; a longer URI is keyed afresh each time).
 */
const remembered = isolateCaches.cache<string>("config.uri-keys", { maxEntries: 64, maxKeyChars: 256, entryBytes: 640 });

function keyOf(uri: string): string {
  const t = trimXmlSpace(uri).replace(PERCENT, (h) => h.toUpperCase());
  const urn = URN.exec(t);
  if (urn) return `urn:${urn[1]!.toLowerCase()}:${urn[2]}`;
  const m = WITH_AUTHORITY.exec(t);
  if (!m) {
    const scheme = SCHEME.exec(t)?.[0];
    return scheme === undefined ? t : scheme.toLowerCase() + t.slice(scheme.length);
  }
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!;
  const at = authority.lastIndexOf("@");
  const userinfo = authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  // The port follows the last ":" outside an IPv6 literal's brackets.
  const colon = hostPort.lastIndexOf(":");
  const hasPort = colon > hostPort.lastIndexOf("]");
  const host = hasPort ? hostPort.slice(0, colon) : hostPort;
  let port = hasPort ? hostPort.slice(colon + 1) : "";
  if (/^[0-9]+$/.test(port)) port = String(Number(port));
  if (port === DEFAULT_PORTS[scheme]) port = "";
  let rest = m[3]!;
  if (DEFAULT_PORTS[scheme] !== undefined && !rest.startsWith("/")) rest = `/${rest}`;
  const key = `${scheme}://${userinfo}${host.toLowerCase()}${port === "" ? "" : `:${port}`}${rest}`;
  return key.endsWith("/") ? key.slice(0, -1) : key;
}

import { fromBase64, strictUtf8 } from "../bytes.ts";


/**
 * Reads HTTP Basic credentials (RFC 7617 §2): `Basic base64(user ":" password)`, UTF-8.
 * Returns undefined when the header is absent or malformed. The raw strings are returned as
 * sent; OAuth additionally form-decodes them (RFC 6749 §2.3.1).
 */
export function parseBasicAuthorization(header: string | null | undefined): { user: string; secret: string } | undefined {
  const m = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header ?? "");
  if (!m) return undefined;
  const bytes = fromBase64(m[1]!);
  if (!bytes) return undefined;
  let raw: string;
  try {
    raw = strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
  const colon = raw.indexOf(":");
  return colon < 0 ? undefined : { user: raw.slice(0, colon), secret: raw.slice(colon + 1) };
}

/**
 * The `WWW-Authenticate` challenge of HTTP Basic for `space` (`sts`, `sts-admin`) in the STS
 * realm `stsRealm` (undefined: the first realm). RFC 7235 §2.2: a user agent may send the
 * credentials it holds for one protection space — the origin and this realm value — to any
 * request challenged with the same, and realms reached by path prefixes share an origin; each
 * realm's accounts are its own, so each realm gets its own value (a browser that signed in to
 * one realm's administration must not hand that account's secret to another realm's). The first
 * realm's value is the one a single-realm deployment has always sent.
 */
export function basicChallenge(space: string, stsRealm: string | undefined, params = ""): string {
  return `Basic realm="${stsRealm === undefined ? space : `${space} ${stsRealm}`}"${params}`;
}

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

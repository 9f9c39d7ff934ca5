/**
 * What a compact JWS must look like before any key is tried, read alike by the STS
 * (jwt/verify.ts, DPoP proofs) and the token inspector page, so the page never calls valid a
 * token the STS refuses as malformed. No imports: the page's bundle takes it as it is.
 */

/** The base64url alphabet's values, for the check of a segment's last character. */
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Three segments of unpadded base64url, each in its one canonical form (RFC 4648 §3.5): the bits
 * a last character carries beyond the data are zero, and no segment has a length no encoding
 * gives. jose's decoder ignores those bits, so without this one signed token would have many
 * spellings, each accepted.
 */
export function canonicalCompact(token: string): boolean {
  const parts = token.split(".");
  if (parts.length !== 3) return false;
  for (const p of parts) {
    const rest = p.length % 4;
    if (rest === 1) return false;
    if (rest === 0) continue;
    const v = B64URL.indexOf(p[p.length - 1]!);
    if (v < 0 || (v & (rest === 2 ? 0x0f : 0x03)) !== 0) return false;
  }
  return true;
}

/** Why a header with `b64` is refused, in every door's words. */
export const UNENCODED_PAYLOAD = "The JWT header 'b64' is not accepted: a JWT's payload is always base64url-encoded (RFC 7797 section 7).";

/**
 * Whether the header carries RFC 7797's `b64`. A JWT never needs it (RFC 7797 §7), and outside
 * `crit` (which §6 requires of it) verifiers disagree on what was signed: jose ignores it and
 * reads the payload as base64url, jwcrypto honours `b64: false` and reads the segment as the
 * payload itself. One token read two ways is refused, whatever the value.
 */
export function unencodedPayloadHeader(header: object): boolean {
  return "b64" in header;
}

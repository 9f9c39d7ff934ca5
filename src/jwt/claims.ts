/**
 * Reading identity claims out of a verified JWT payload: one reserved set for every JWT we read
 * (ours and trusted issuers'), so a claim with protocol meaning is never taken for an attribute
 * of the person.
 */

/**
 * Claims with protocol meaning, never read as identity claims: RFC 7519 §4.1 (iss, sub, aud,
 * exp, nbf, iat, jti), RFC 8693 §4 (act, may_act, scope, client_id), RFC 9068 §2.2 (auth_time),
 * RFC 7800 §3 (cnf), OpenID Connect Core §2 and §3.3.2.11 (azp, nonce, at_hash, c_hash) and
 * Front-/Back-Channel Logout (sid).
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  "iss", "sub", "aud", "exp", "nbf", "iat", "jti",
  "act", "may_act", "scope", "client_id", "auth_time", "cnf",
  "azp", "nonce", "at_hash", "c_hash", "sid",
]);

/**
 * The payload's other claims whose value is a string or an array of strings, as arrays (fresh
 * ones: the payload may be a remembered, frozen one). Anything else (numbers, objects, mixed
 * arrays) is left out.
 */
export function identityClaims(payload: Readonly<Record<string, unknown>>): Record<string, string[]> {
  const claims: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (RESERVED_CLAIMS.has(k)) continue;
    if (typeof v === "string") claims[k] = [v];
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) claims[k] = [...(v as string[])];
  }
  return claims;
}

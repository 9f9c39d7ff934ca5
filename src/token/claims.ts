import { claimName } from "./claim-types.ts";

/**
 * The one set of claim names with protocol meaning. A user's claims in the configuration may not
 * use them (they would overwrite protocol data in the tokens we mint), and no token we read —
 * JWT or SAML, ours or a trusted issuer's — has them taken for attributes of the person: RFC 7519 §4.1 (iss,
 * sub, aud, exp, nbf, iat, jti), RFC 8693 §4 (act, may_act, scope, client_id), RFC 9068 §2.2
 * (auth_time), RFC 7800 §3 (cnf), OpenID Connect Core §2 and §3.3.2.11 (azp, nonce, at_hash,
 * c_hash) and Front-/Back-Channel Logout (sid). `actor` is the attribute our SAML tokens carry
 * their actor in (the WIF actor claim type, src/saml/claims.ts): from anywhere but our own
 * signed token it would be read back as a delegation nobody granted. Ask {@link isReservedClaim},
 * which also knows these names by their claim-type URIs.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  "iss", "sub", "aud", "exp", "nbf", "iat", "jti",
  "act", "may_act", "scope", "client_id", "auth_time", "cnf",
  "azp", "nonce", "at_hash", "c_hash", "sid",
  "actor",
]);

/**
 * Whether a claim name has a protocol meaning: by its name, or by the claim-type URI a SAML token
 * writes it under (a claim named `http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor`
 * becomes the very attribute our tokens state their actor in, and is read back as one).
 */
export function isReservedClaim(name: string): boolean {
  return RESERVED_CLAIMS.has(name) || RESERVED_CLAIMS.has(claimName(name));
}

/** The claims that are attributes of the person: every {@link isReservedClaim} name left out. */
export function personClaims(claims: Readonly<Record<string, string[]>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(claims)) if (!isReservedClaim(k)) out[k] = v;
  return out;
}

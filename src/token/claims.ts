/**
 * The one set of claim names with protocol meaning. A user's claims in the configuration may not
 * use them (they would overwrite protocol data in the tokens we mint), and no JWT we read —
 * ours or a trusted issuer's — has them taken for attributes of the person: RFC 7519 §4.1 (iss,
 * sub, aud, exp, nbf, iat, jti), RFC 8693 §4 (act, may_act, scope, client_id), RFC 9068 §2.2
 * (auth_time), RFC 7800 §3 (cnf), OpenID Connect Core §2 and §3.3.2.11 (azp, nonce, at_hash,
 * c_hash) and Front-/Back-Channel Logout (sid).
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  "iss", "sub", "aud", "exp", "nbf", "iat", "jti",
  "act", "may_act", "scope", "client_id", "auth_time", "cnf",
  "azp", "nonce", "at_hash", "c_hash", "sid",
]);

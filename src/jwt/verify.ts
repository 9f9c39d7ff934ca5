import { errors, jwtVerify, decodeProtectedHeader } from "jose";
import type { JWTPayload, JWTHeaderParameters } from "jose";
import type { KeyRing, JwsAlg } from "../keys/keyring.ts";
import { type VerifiedJwt, forgetVerified, lookupVerified, rememberVerified } from "./verified-cache.ts";

export { verifiedJwtCacheSize } from "./verified-cache.ts";

const ALLOWED: readonly JwsAlg[] = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "ES512"];
/** Header parameters that would let the token choose its own key (RFC 8725 §3.10): refused. */
const KEY_CHOOSING_HEADERS = ["jku", "x5u", "jwk", "x5c"] as const;

export type JwtCheck =
  | { ok: true; payload: JWTPayload; header: JWTHeaderParameters }
  | { ok: false; reason: string; payload?: JWTPayload };

/**
 * Verifies a JWT we issued: the `kid` selects among our own published keys only, the algorithm
 * is on the allow-list and matches the key type (no `none`, no HMAC), `typ` is JWT or at+jwt,
 * and `iss` is ours. Time checks use `now` with `skewSeconds`; an expired token is reported as
 * such with its payload so callers can apply renewal grace.
 *
 * Exactly these bytes, already verified in full under this KeyRing and issuer, skip the header
 * and signature checks (src/jwt/verified-cache.ts); the time checks run on every call.
 */
export async function verifyOwnJwt(
  keys: KeyRing,
  jwt: string,
  issuer: string,
  now: Date,
  skewSeconds: number,
): Promise<JwtCheck> {
  const hit = lookupVerified(keys, jwt);
  if (hit && hit.issuer === issuer) {
    const r = recheckTimes(hit, now, skewSeconds);
    if (r) {
      if (!r.ok && r.payload) forgetVerified(keys, jwt); // expired for good (time only moves on)
      return r;
    }
  }
  let header: JWTHeaderParameters;
  try {
    header = decodeProtectedHeader(jwt) as JWTHeaderParameters;
  } catch {
    return { ok: false, reason: "The token is not a well-formed JWT." };
  }
  for (const h of KEY_CHOOSING_HEADERS) {
    if (h in header) return { ok: false, reason: `The JWT header '${h}' is not accepted; keys come from our configuration.` };
  }
  const alg = header.alg as JwsAlg;
  if (!ALLOWED.includes(alg)) return { ok: false, reason: "The JWT algorithm is not allowed." };
  if (header.typ !== "JWT" && header.typ !== "at+jwt") return { ok: false, reason: "The JWT type is not accepted." };
  const key = typeof header.kid === "string" ? keys.byKid(header.kid) : undefined;
  if (!key) return { ok: false, reason: "The JWT was not signed by a key of this STS." };
  if ((alg.startsWith("ES") ? "EC" : "RSA") !== key.kty) return { ok: false, reason: "The JWT algorithm does not match its key." };
  try {
    const r = await jwtVerify(jwt, await key.publicKeyFor(alg), {
      issuer,
      algorithms: [alg],
      currentDate: now,
      clockTolerance: skewSeconds,
    });
    rememberVerified(keys, jwt, issuer, r.payload, r.protectedHeader);
    return { ok: true, payload: r.payload, header: r.protectedHeader };
  } catch (e) {
    if (e instanceof errors.JWTExpired) return { ok: false, reason: "The token has expired.", payload: e.payload };
    if (e instanceof errors.JWTClaimValidationFailed) return { ok: false, reason: `The token's '${e.claim}' claim is not valid.` };
    if (e instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: "The token signature is not valid." };
    return { ok: false, reason: "The token is not valid." };
  }
}

/**
 * jose's time checks (lib/jwt_claims_set.js) on a remembered token, with the same answers the
 * full path gives: whole seconds (`floor(now)`), `nbf > now + skew` refused first, then
 * `exp <= now - skew` expired with the payload. Inputs jose would reject with a TypeError (an
 * invalid date, a negative or non-finite skew) return undefined so the full path answers them.
 * Payload and header are the cached, deeply frozen objects (src/jwt/verified-cache.ts): no
 * caller can change what was verified, and no copy is paid for on every presentation.
 */
function recheckTimes(hit: VerifiedJwt, now: Date, skewSeconds: number): JwtCheck | undefined {
  const t = Math.floor(now.getTime() / 1000);
  if (!Number.isFinite(t) || typeof skewSeconds !== "number" || !Number.isFinite(skewSeconds) || skewSeconds < 0) return undefined;
  if (hit.nbf !== undefined && hit.nbf > t + skewSeconds) return { ok: false, reason: "The token's 'nbf' claim is not valid." };
  if (hit.exp <= t - skewSeconds) return { ok: false, reason: "The token has expired.", payload: hit.payload };
  return { ok: true, payload: hit.payload, header: hit.header };
}

/**
 * The one JWT verifier (RFC 7519, RFC 8725). Every JWT the STS accepts goes through
 * {@link verifyJwt}: our own tokens, a trusted issuer's tokens, and RFC 7523 client assertions.
 * What differs between them is only where the key comes from (the {@link KeySource}) and what
 * the caller expects of the claims ({@link JwtExpectations}); the header rules, the algorithm
 * policy, the claim checks and the result are the same for all.
 */
import { isolateCaches } from "../cache.ts";
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from "jose";
import type { JWTHeaderParameters, JWTPayload, JWTVerifyGetKey } from "jose";
import type { OAuthClient, TrustedIssuer } from "../config/types.ts";
import { CLIENT_ASSERTION_ALGS } from "../config/validate-jwks.ts";
import { type JwsAlg, KeyRing } from "../keys/keyring.ts";
import { type VerifiedJwt, forgetVerified, lookupVerified, rememberVerified } from "./verified-cache.ts";
import { UNENCODED_PAYLOAD, canonicalCompact, unencodedPayloadHeader } from "./compact-form.ts";

export { verifiedJwtCacheSize } from "./verified-cache.ts";

/**
 * Header parameters that would let the token choose its own key (RFC 8725 §3.10). Refused
 * whatever the key source: keys come from configuration, never from the token.
 */
const KEY_CHOOSING_HEADERS = ["jku", "x5u", "jwk", "x5c"] as const;

/**
 * The only algorithms any key source may allow: asymmetric signatures (RFC 7518 §3.3–3.5,
 * RFC 8037). Never `none`, never HMAC — a source listing one does not make it acceptable.
 */
const ASYMMETRIC: ReadonlySet<string> = new Set(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]);

/** Our own keys are RSA or EC (src/keys/keyring.ts); the algorithm must also match the key. */
const OWN_ALGS: readonly string[] = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "ES512"] satisfies JwsAlg[];

/** The `typ` values of the JWTs we issue (RFC 9068 §2.1: access tokens are `at+jwt`). */
const OWN_TYPES: readonly unknown[] = ["JWT", "at+jwt"];


/** A trusted issuer's keys or a client's registered keys: a JWKS and its algorithm allow-list. */
export interface JwksKeySource {
  /** Whose keys these are. */
  readonly owner: "trusted-issuer" | "client";
  /** Algorithms its keys may be used with; only asymmetric ones ever pass ({@link verifyJwt}). */
  readonly algorithms: readonly string[];
  /** jose's lookup in the set (by the header's `kid` and `alg`). */
  readonly keySet: JWTVerifyGetKey;
  /** Where the set is fetched from, when it is not configured inline. */
  readonly jwksUri?: string;
}

/**
 * Where the verification key comes from; the token never chooses it.
 * - a {@link KeyRing}: our own keys. `kid` selects among them only, the algorithm must match the
 *   key type, `typ` must be `JWT` or `at+jwt`; exact tokens verified before are remembered.
 * - {@link trustedIssuerKeys}: a trusted issuer's JWKS (inline, or fetched from its jwksUri) with
 *   the issuer's configured algorithms.
 * - {@link clientKeys}: an OAuth client's registered JWKS with {@link CLIENT_ASSERTION_ALGS}.
 */
export type KeySource = KeyRing | JwksKeySource;

/** What the claims must say, and the clock to judge them by. */
export interface JwtExpectations {
  /** The `iss` the token must carry, exactly. */
  readonly issuer: string;
  /** Accepted audiences: `aud` must name one of them. Not checked when absent. */
  readonly audience?: string | readonly string[];
  /** The `sub` the token must carry. Not checked when absent. */
  readonly subject?: string;
  /** Claims that must be present. */
  readonly requiredClaims?: readonly string[];
  readonly now: Date;
  /** Clock tolerance for `exp` and `nbf`. */
  readonly skewSeconds: number;
}

/** Why a token was refused. */
export type JwtRefusal =
  /** The header or payload is not readable as a compact JWT. */
  | "malformed"
  /** A header names a key of its own (RFC 8725 §3.10). */
  | "key-choosing-header"
  /** The algorithm is not allowed for this key source. */
  | "algorithm"
  /** Our key ring only: `typ` is not one of ours. */
  | "type"
  /** Our key ring only: `kid` names none of our keys. */
  | "unknown-key"
  /** Our key ring only: the algorithm is for another key type. */
  | "key-mismatch"
  /** The signature does not verify. */
  | "signature"
  /** `exp` has passed (the payload and header come with it: the signature did verify). */
  | "expired"
  /**
   * `nbf` is still ahead (the payload and header come with it: the signature and every other
   * claim check passed; only `exp` is not yet judged).
   */
  | "not-yet-valid"
  /** Another claim check failed (`iss`, `aud`, `sub`, a required claim, a malformed time claim). */
  | "claim"
  /** A fetched key set could not be had (no answer, not 200, not a JWK Set): the token was not judged. */
  | "keys-unavailable"
  /** Anything else (no usable key in the set, an unusable key, ...). */
  | "invalid";

export type JwtCheck =
  | { ok: true; payload: JWTPayload; header: JWTHeaderParameters }
  | { ok: false; refusal: JwtRefusal; reason: string; payload?: JWTPayload; header?: JWTHeaderParameters; cause?: string };

/**
 * Verifies a compact JWT against one key source: the header must be readable and name no key
 * of its own, the algorithm must be one the source allows (never `none`, never HMAC), the
 * signature must verify with the source's key, `iss` must be `expect.issuer`, and any expected
 * audience, subject and required claims must be there. Time checks use `expect.now` with
 * `expect.skewSeconds`; an expired token and one not yet valid are reported as such with their
 * payload, so that callers can apply renewal grace to the one and still cancel the other (a
 * postdated token that leaked must be revocable before it starts).
 *
 * With our key ring, exactly these bytes, already verified in full under this KeyRing and issuer,
 * skip the header and signature checks (src/jwt/verified-cache.ts); the time checks run on every
 * call. Only when the caller expects nothing of audience, subject or required claims: a memory
 * says only that the token is ours, for this issuer.
 */
export async function verifyJwt(token: string, source: KeySource, expect: JwtExpectations): Promise<JwtCheck> {
  const own = source instanceof KeyRing;
  if (own && expect.audience === undefined && expect.subject === undefined && expect.requiredClaims === undefined) {
    const hit = lookupVerified(source, token);
    if (hit && hit.issuer === expect.issuer) {
      const r = recheckTimes(hit, expect.now, expect.skewSeconds);
      if (r) {
        if (!r.ok && r.refusal === "expired") forgetVerified(source, token); // expired for good (time only moves on)
        return r;
      }
    }
  }
  let header: JWTHeaderParameters;
  try {
    if (!canonicalCompact(token)) throw new TypeError("not canonical base64url");
    header = decodeProtectedHeader(token) as JWTHeaderParameters;
  } catch {
    return { ok: false, refusal: "malformed", reason: "The token is not a well-formed JWT." };
  }
  const named = keyChoosingHeader(header);
  if (named) return { ok: false, refusal: "key-choosing-header", reason: `The JWT header '${named}' is not accepted; keys come from our configuration.` };
  if (unencodedPayloadHeader(header)) return { ok: false, refusal: "malformed", reason: UNENCODED_PAYLOAD };
  const alg = header.alg;
  if (typeof alg !== "string" || !ASYMMETRIC.has(alg) || !(own ? OWN_ALGS : source.algorithms).includes(alg)) {
    return { ok: false, refusal: "algorithm", reason: "The JWT algorithm is not allowed." };
  }
  const ownKey = own ? ownKeyFor(source, header, alg) : undefined;
  if (ownKey && "refusal" in ownKey) return ownKey;
  try {
    const r = await jwtVerify(token, ownKey ? await ownKey.publicKeyFor(alg as JwsAlg) : (source as JwksKeySource).keySet, {
      issuer: expect.issuer,
      audience: expect.audience as string | string[] | undefined,
      subject: expect.subject,
      requiredClaims: expect.requiredClaims as string[] | undefined,
      algorithms: [alg],
      currentDate: expect.now,
      clockTolerance: expect.skewSeconds,
    });
    if (own) rememberVerified(source, token, expect.issuer, r.payload, r.protectedHeader);
    return { ok: true, payload: r.payload, header: r.protectedHeader };
  } catch (e) {
    // jose checks the times only once the signature verified: the header read above is signed.
    if (e instanceof errors.JWTExpired) return { ok: false, refusal: "expired", reason: "The token has expired.", payload: e.payload, header };
    // jose judges `nbf` after iss, sub, aud and the required claims: only the start is wrong.
    if (e instanceof errors.JWTClaimValidationFailed && e.claim === "nbf" && e.reason === "check_failed") {
      return { ok: false, refusal: "not-yet-valid", reason: NOT_YET_VALID, payload: e.payload, header };
    }
    if (e instanceof errors.JWTClaimValidationFailed) return { ok: false, refusal: "claim", reason: `The token's '${e.claim}' claim is not valid.` };
    if (e instanceof errors.JWSSignatureVerificationFailed) return { ok: false, refusal: "signature", reason: "The token signature is not valid." };
    const unavailable = own ? undefined : keySetUnavailable(source as JwksKeySource, e);
    if (unavailable !== undefined) {
      return { ok: false, refusal: "keys-unavailable", reason: "The issuer's published keys could not be fetched, so the token could not be checked.", cause: unavailable };
    }
    return { ok: false, refusal: "invalid", reason: "The token is not valid." };
  }
}

/**
 * Why a fetched key set could not be used, when `e` says that it could not be fetched: jose
 * reports a timeout, an answer other than 200 or not JSON (its generic error, thrown only by the
 * fetch) or one that is no JWK Set, and passes fetch's own failures (no route, no such host)
 * through. Undefined for an inline set and for every judgement of the token itself.
 */
function keySetUnavailable(source: JwksKeySource, e: unknown): string | undefined {
  if (source.jwksUri === undefined) return undefined;
  if (e instanceof errors.JWKSTimeout) return "no answer in time";
  if (e instanceof errors.JWKSInvalid) return "the answer is not a JWK Set";
  if (e instanceof errors.JOSEError) return e.code === "ERR_JOSE_GENERIC" ? e.message : undefined;
  return e instanceof Error ? e.message.slice(0, 200) : "the fetch failed";
}

/** What a token whose `nbf` is still ahead is told, as a SAML token whose NotBefore is. */
const NOT_YET_VALID = "The token is not yet valid.";


/** The first key-choosing header parameter present, if any. */
function keyChoosingHeader(header: object): string | undefined {
  for (const h of KEY_CHOOSING_HEADERS) if (h in header) return h;
  return undefined;
}

/** Our key ring's rules: our `typ`, a `kid` of ours, and an algorithm for that key's type. */
function ownKeyFor(keys: KeyRing, header: JWTHeaderParameters, alg: string) {
  if (!OWN_TYPES.includes(header.typ)) return { ok: false, refusal: "type", reason: "The JWT type is not accepted." } as const;
  const key = typeof header.kid === "string" ? keys.byKid(header.kid) : undefined;
  if (!key) return { ok: false, refusal: "unknown-key", reason: "The JWT was not signed by a key of this STS." } as const;
  if ((alg.startsWith("ES") ? "EC" : "RSA") !== key.kty) return { ok: false, refusal: "key-mismatch", reason: "The JWT algorithm does not match its key." } as const;
  return key;
}

/**
 * jose's time checks (lib/jwt_claims_set.js) on a remembered token, with the same answers the
 * full path gives: whole seconds (`floor(now)`), `nbf > now + skew` refused first, then
 * `exp <= now - skew` expired, each with the payload. Inputs jose would reject with a TypeError (an
 * invalid date, a negative or non-finite skew) return undefined so the full path answers them.
 * Payload and header are the cached, deeply frozen objects (src/jwt/verified-cache.ts): no
 * caller can change what was verified, and no copy is paid for on every presentation.
 */
function recheckTimes(hit: VerifiedJwt, now: Date, skewSeconds: number): JwtCheck | undefined {
  const t = Math.floor(now.getTime() / 1000);
  if (!Number.isFinite(t) || typeof skewSeconds !== "number" || !Number.isFinite(skewSeconds) || skewSeconds < 0) return undefined;
  if (hit.nbf !== undefined && hit.nbf > t + skewSeconds) return { ok: false, refusal: "not-yet-valid", reason: NOT_YET_VALID, payload: hit.payload, header: hit.header };
  if (hit.exp <= t - skewSeconds) return { ok: false, refusal: "expired", reason: "The token has expired.", payload: hit.payload, header: hit.header };
  return { ok: true, payload: hit.payload, header: hit.header };
}

/** Returned by {@link claimedIssuer} for a token whose payload cannot be read. */
export const NOT_A_JWT: unique symbol = Symbol("not a JWT");

/**
 * The `iss` a JWT claims, unverified: only to choose which keys must then verify it. Exactly
 * these bytes verified before under `keys` answer from memory, without decoding again.
 * @returns the claim as it stands (any JSON value, or undefined), or {@link NOT_A_JWT}
 */
export function claimedIssuer(token: string, keys: KeyRing): unknown {
  const hit = lookupVerified(keys, token);
  if (hit) return hit.issuer;
  try {
    return decodeJwt(token).iss;
  } catch {
    return NOT_A_JWT;
  }
}

/**
 * The unverified first look at a JWT that names whose keys must verify it (a client assertion's
 * `iss`): the header must be readable and choose no key of its own, the payload readable. Only a
 * choice of keys may rest on the `iss` returned; {@link verifyJwt} then checks everything.
 */
export function peekJwt(token: string): { ok: true; iss: unknown } | { ok: false; refusal: "malformed" | "key-choosing-header"; reason: string } {
  let header: object;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, refusal: "malformed", reason: "The token is not a well-formed JWT." };
  }
  const named = keyChoosingHeader(header);
  if (named) return { ok: false, refusal: "key-choosing-header", reason: `The JWT header '${named}' is not accepted; keys come from our configuration.` };
  try {
    return { ok: true, iss: decodeJwt(token).iss };
  } catch {
    return { ok: false, refusal: "malformed", reason: "The token is not a well-formed JWT." };
  }
}

type Jwks = Parameters<typeof createLocalJWKSet>[0];

/** Fetched key sets by JWKS URI (configured URIs only; a fetched set is at most a few KiB). */
const remoteSets = isolateCaches.cache<ReturnType<typeof createRemoteJWKSet>>("jwt.remote-jwks", { maxEntries: 32, maxKeyChars: 2048, entryBytes: 16 * 1024 });
const issuerSources = new WeakMap<TrustedIssuer, JwksKeySource>();
const clientSources = new WeakMap<OAuthClient, JwksKeySource>();

/**
 * A trusted issuer's keys, once per isolate and configuration: its inline JWKS, or the set at its
 * jwksUri (shared by URI, cached ten minutes, refetched on an unknown kid at most every 30 s),
 * with its configured algorithms.
 */
export function trustedIssuerKeys(t: TrustedIssuer): JwksKeySource {
  let s = issuerSources.get(t);
  if (!s) {
    s = Object.freeze({
      owner: "trusted-issuer",
      algorithms: Object.freeze([...t.algorithms]),
      ...(t.jwks ? { keySet: createLocalJWKSet(t.jwks as Jwks) } : { keySet: remoteSet(t.jwksUri!), jwksUri: t.jwksUri! }),
    });
    issuerSources.set(t, s);
  }
  return s;
}

function remoteSet(uri: string): ReturnType<typeof createRemoteJWKSet> {
  let s = remoteSets.get(uri);
  if (!s) remoteSets.set(uri, (s = createRemoteJWKSet(new URL(uri), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 })));
  return s;
}

/** An OAuth client's registered keys with {@link CLIENT_ASSERTION_ALGS}; undefined if it has none. */
export function clientKeys(client: OAuthClient): JwksKeySource | undefined {
  if (!client.jwks) return undefined;
  let s = clientSources.get(client);
  if (!s) {
    s = Object.freeze({ owner: "client", algorithms: CLIENT_ASSERTION_ALGS, keySet: createLocalJWKSet(client.jwks as Jwks) });
    clientSources.set(client, s);
  }
  return s;
}

/**
 * Per-isolate memory of JWTs whose exact bytes already passed `verifyJwt` (src/jwt/verify.ts)
 * in full with our key ring, so a token presented again (a gateway exchanging one user token per
 * downstream call) skips the signature check: measured in workerd, a verification costs ~170 µs,
 * ~90 µs of it the ECDSA P-256 verify.
 *
 * Safe because a signature verdict is a pure function of the token's bytes and the key: the map
 * key is the whole compact string (equality, not a hash), and each map belongs to one KeyRing,
 * so a new configuration starts empty. Time and revocation are not remembered here: the caller
 * re-applies exp/nbf on every hit, and the revocation check stays with the callers.
 */
import type { JWTHeaderParameters, JWTPayload } from "jose";
import type { KeyRing } from "../keys/keyring.ts";
import { VerifiedMemo, deepFreeze } from "../keys/verified-memo.ts";

/** What a successful verification established, as of the moment it ran. */
export interface VerifiedJwt {
  /** The issuer the token was verified against (its `iss`). */
  readonly issuer: string;
  /** Deep-frozen: handed out as is. */
  readonly payload: Readonly<JWTPayload>;
  readonly header: Readonly<JWTHeaderParameters>;
  readonly exp: number;
  readonly nbf: number | undefined;
}

/** Most entries one KeyRing's cache holds; the oldest insertion goes first. */
export const MAX_VERIFIED_ENTRIES = 4096;
/** Longer tokens are verified every time (ours are ~1 KiB; this only bounds memory). */
export const MAX_CACHED_JWT_CHARS = 8 * 1024;
/**
 * Total token text the cache holds. At 4,096 entries of the full 8 KiB the keys alone would be
 * 32 MiB of a 128 MB isolate, so the text is also bounded; 4,096 ordinary ~1 KiB tokens fit.
 */
export const MAX_CACHED_TOTAL_CHARS = 4 * 1024 * 1024;

const memo = new VerifiedMemo<VerifiedJwt>("jwt.verified", {
  maxEntries: MAX_VERIFIED_ENTRIES,
  maxKeyChars: MAX_CACHED_JWT_CHARS,
  maxTotalChars: MAX_CACHED_TOTAL_CHARS,
  entryBytes: 1024, // frozen payload and header of one token
});

/** The remembered verification of exactly this string under this KeyRing, if any. */
export function lookupVerified(keys: KeyRing, jwt: string): VerifiedJwt | undefined {
  return memo.get(keys, jwt);
}

/**
 * Remembers a verification that fully succeeded (signature and every claim check). Tokens
 * without a numeric `exp` are not remembered: every entry must be able to leave by expiry.
 */
export function rememberVerified(keys: KeyRing, jwt: string, issuer: string, payload: JWTPayload, header: JWTHeaderParameters): void {
  if (typeof payload.exp !== "number") return;
  // Frozen copies, handed as they are to every later hit: neither the caller's objects nor any
  // later caller can change what was verified.
  memo.set(keys, jwt, {
    issuer,
    payload: deepFreeze(structuredClone(payload)),
    header: deepFreeze(structuredClone(header)),
    exp: payload.exp,
    nbf: typeof payload.nbf === "number" ? payload.nbf : undefined,
  });
}

/** Drops a token (used when a hit finds it expired). */
export function forgetVerified(keys: KeyRing, jwt: string): void {
  memo.delete(keys, jwt);
}

/** Test hook: how many tokens this KeyRing's cache holds. */
export function verifiedJwtCacheSize(keys: KeyRing): number {
  return memo.size(keys);
}

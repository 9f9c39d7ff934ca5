/**
 * Per-isolate memory of JWTs whose exact bytes already passed `verifyOwnJwt` in full, so a token
 * presented again (a gateway exchanging one user token per downstream call) skips the signature
 * check: measured in workerd, a verification costs ~170 µs, ~90 µs of it the ECDSA P-256 verify.
 *
 * Safe because a signature verdict is a pure function of the token's bytes and the key: the map
 * key is the whole compact string (equality, not a hash), and each map belongs to one KeyRing,
 * so a new configuration starts empty. Time and revocation are not remembered here: the caller
 * re-applies exp/nbf on every hit, and the revocation check stays with the callers.
 */
import type { JWTHeaderParameters, JWTPayload } from "jose";
import type { KeyRing } from "../keys/keyring.ts";

/** What a successful verification established, as of the moment it ran. */
export interface VerifiedJwt {
  /** The issuer the token was verified against (its `iss`). */
  readonly issuer: string;
  /** Deep-frozen; hand out copies only. */
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
 * Total token text one cache holds. At 4,096 entries of the full 8 KiB the keys alone would be
 * 32 MiB of a 128 MB isolate, so the text is also bounded; ordinary ~1 KiB tokens never reach it.
 */
export const MAX_CACHED_TOTAL_CHARS = 8 * 1024 * 1024;

interface Cache {
  entries: Map<string, VerifiedJwt>;
  chars: number;
}

/** Keyed by the KeyRing instance: entries die with the configuration that verified them. */
const caches = new WeakMap<KeyRing, Cache>();

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** The remembered verification of exactly this string under this KeyRing, if any. */
export function lookupVerified(keys: KeyRing, jwt: string): VerifiedJwt | undefined {
  if (jwt.length > MAX_CACHED_JWT_CHARS) return undefined;
  return caches.get(keys)?.entries.get(jwt);
}

/**
 * Remembers a verification that fully succeeded (signature and every claim check). Tokens
 * without a numeric `exp` are not remembered: every entry must be able to leave by expiry.
 */
export function rememberVerified(keys: KeyRing, jwt: string, issuer: string, payload: JWTPayload, header: JWTHeaderParameters): void {
  if (jwt.length > MAX_CACHED_JWT_CHARS || typeof payload.exp !== "number") return;
  let cache = caches.get(keys);
  if (!cache) {
    cache = { entries: new Map(), chars: 0 };
    caches.set(keys, cache);
  }
  forget(cache, jwt); // a re-insert moves to the back of the eviction order
  while (cache.entries.size >= MAX_VERIFIED_ENTRIES || (cache.entries.size > 0 && cache.chars + jwt.length > MAX_CACHED_TOTAL_CHARS)) {
    const oldest = cache.entries.keys().next().value as string;
    forget(cache, oldest);
  }
  // Frozen copies, handed as they are to every later hit: neither the caller's objects nor any
  // later caller can change what was verified.
  cache.entries.set(jwt, {
    issuer,
    payload: deepFreeze(structuredClone(payload)),
    header: deepFreeze(structuredClone(header)),
    exp: payload.exp,
    nbf: typeof payload.nbf === "number" ? payload.nbf : undefined,
  });
  cache.chars += jwt.length;
}

/** Drops a token (used when a hit finds it expired). */
export function forgetVerified(keys: KeyRing, jwt: string): void {
  const cache = caches.get(keys);
  if (cache) forget(cache, jwt);
}

function forget(cache: Cache, jwt: string): void {
  if (cache.entries.delete(jwt)) cache.chars -= jwt.length;
}

/** Test hook: how many tokens this KeyRing's cache holds. */
export function verifiedJwtCacheSize(keys: KeyRing): number {
  return caches.get(keys)?.entries.size ?? 0;
}

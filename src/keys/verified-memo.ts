/**
 * Per-isolate memory of tokens whose exact text already passed a full verification under one
 * KeyRing, so a token presented again skips the signature work (src/jwt/verified-cache.ts for
 * JWTs, src/engine/verify-own.ts for SAML assertions; the security argument is in
 * docs/security.md, "Remembered verifications").
 *
 * The key is the token's whole text (string equality, never a hash), and an entry answers only
 * for the KeyRing it was verified under. Bounded by entry count and by total key text, the
 * oldest insertion first, in the isolate's cache registry (src/cache.ts).
 */
import { type BoundedCache, type CacheLimits, isolateCaches } from "../cache.ts";
import type { KeyRing } from "./keyring.ts";

export type MemoLimits = Omit<CacheLimits, "maxKeyChars" | "maxTotalChars"> & { maxKeyChars: number; maxTotalChars: number };

/**
 * One kind of remembered verification (one per token format). Each entry remembers the KeyRing
 * it was verified under and answers only for that ring, so a new configuration (a new ring)
 * finds nothing; its old entries age out under the cache's bounds.
 */
export class VerifiedMemo<V> {
  readonly #cache: BoundedCache<{ keys: KeyRing; value: V }>;

  constructor(name: string, limits: MemoLimits) {
    this.#cache = isolateCaches.cache(name, limits);
  }

  /** What was remembered for exactly this text under this KeyRing, if anything. */
  get(keys: KeyRing, text: string): V | undefined {
    return this.#cache.get(text, (e) => e.keys === keys)?.value;
  }

  /**
   * Remembers `value` for exactly `text`. The value must not change afterwards (freeze it) and
   * must share no string with the request it came from (copy it): V8 keeps a substring's whole
   * parent alive, and a remembered slice of a request would keep the request. The key is copied
   * here for the same reason.
   */
  set(keys: KeyRing, text: string, value: V): void {
    this.#cache.set(structuredClone(text), { keys, value });
  }

  delete(keys: KeyRing, text: string): void {
    if (this.#cache.get(text, (e) => e.keys === keys) !== undefined) this.#cache.delete(text);
  }

  /** How many entries this KeyRing's verifications hold (tests). */
  size(keys: KeyRing): number {
    return this.#cache.entriesWhere((e) => e.keys === keys);
  }
}

/** Freezes `v` and everything reachable from it (plain data: objects and arrays). */
export function deepFreeze<T>(v: T): T {
  // A typed array with elements cannot be frozen (a certificate's DER, say): it stays as it is.
  if (typeof v === "object" && v !== null && !ArrayBuffer.isView(v) && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

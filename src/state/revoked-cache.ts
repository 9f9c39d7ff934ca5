import { BoundedCache, isolateCaches } from "../cache.ts";
import type { RevocationReason } from "./types.ts";

/**
 * "Revoked" answers remembered in the isolate until the token's expiry. Revocation is final
 * (a revoked token never becomes active again), so a remembered "revoked" can never be wrong;
 * "active" is never remembered, so a cancel elsewhere takes effect on the next check.
 *
 * Why in memory and not the Cache API: a Cache API lookup costs a round trip on every check of
 * an active token — the common case — to save one only for revoked tokens presented again.
 * The Map costs nothing on a miss. Bounded: past `max` entries the oldest are forgotten (the
 * object still answers for them).
 */
export class RevokedCache {
  readonly #entries: BoundedCache<{ reason: RevocationReason; expiresAt: number }>;

  /** `max` entries; the isolate's own cache is registered by name, a test's is its own. */
  constructor(max = 10_000, name?: string) {
    const limits = { maxEntries: max, maxKeyChars: 52, entryBytes: 120 }; // a realm tag, a 43-character hash and a small record
    this.#entries = name === undefined ? new BoundedCache("revoked (unregistered)", limits) : isolateCaches.cache(name, limits);
  }

  /** The remembered reason, if the token (`idHash`, after its realm's tag) is known revoked and not yet expired at `now`. */
  get(idHash: string, now: number): RevocationReason | undefined {
    const e = this.#entries.get(idHash);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.#entries.delete(idHash);
      return undefined;
    }
    return e.reason;
  }

  put(idHash: string, reason: RevocationReason, expiresAt: number): void {
    this.#entries.set(idHash, { reason, expiresAt });
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** The isolate's shared cache, used by every state client unless a test passes its own. */
export const isolateRevokedCache = new RevokedCache(10_000, "state.revoked");

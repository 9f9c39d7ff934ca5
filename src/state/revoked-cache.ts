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
  readonly #max: number;
  readonly #entries = new Map<string, { reason: RevocationReason; expiresAt: number }>();

  constructor(max = 10_000) {
    this.#max = max;
  }

  /** The remembered reason, if `idHash` is known revoked and not yet expired at `now`. */
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
    this.#entries.delete(idHash);
    this.#entries.set(idHash, { reason, expiresAt });
    // Map iteration is insertion order: the first key is the oldest entry.
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** The isolate's shared cache, used by every state client unless a test passes its own. */
export const isolateRevokedCache = new RevokedCache();

/**
 * Server-provided DPoP nonces (RFC 9449 §8). With `dpopNonceSecret` configured, a proof at the
 * token endpoint must carry a `nonce` this server handed out recently: someone who gets hold of
 * a client's key for a moment cannot make proofs for later use (RFC 9449 §11.2), since no proof
 * can name a nonce before the server has issued it.
 *
 * Nonces keep no state, so every isolate and every location agrees on them: a nonce names a
 * five-minute period and carries the HMAC of that period under the secret. The current period's
 * nonce and the previous one's are accepted, so a nonce lives five to ten minutes; every token
 * endpoint response carries the current one (`DPoP-Nonce`), so a client rotates before its
 * nonce runs out. A nonce is public (it is sent to anyone who asks): what it proves is only
 * that the proof was made after it was issued. Each isolate computes a period's nonce once.
 */
import { isolateCaches } from "../cache.ts";
import { macOf } from "../keys/hmac.ts";

/** How long one nonce is current. */
export const DPOP_NONCE_PERIOD_MS = 5 * 60 * 1000;

const PURPOSE = "dpop-nonce";
const NONCE = /^(\d{1,15})\.[A-Za-z0-9_-]{43}$/;

// Period and secret → the nonce: two entries per secret in use at any time.
const nonces = isolateCaches.cache<Promise<string>>("oauth.dpop-nonces", { maxEntries: 16, maxKeyChars: 1100, entryBytes: 256 });

function nonceOf(secret: string, period: number): Promise<string> {
  const key = `${period}\n${secret}`;
  let n = nonces.get(key);
  if (!n) {
    n = macOf(secret, PURPOSE, String(period)).then((tag) => `${period}.${tag}`);
    nonces.set(key, n);
  }
  return n;
}

const periodAt = (nowMs: number) => Math.floor(nowMs / DPOP_NONCE_PERIOD_MS);

/** The nonce to hand out now. */
export function currentDpopNonce(secret: string, nowMs: number): Promise<string> {
  return nonceOf(secret, periodAt(nowMs));
}

/** Whether `nonce` is this period's or the previous period's nonce under `secret`. */
export async function isCurrentDpopNonce(secret: string, nonce: unknown, nowMs: number): Promise<boolean> {
  if (typeof nonce !== "string") return false;
  const m = NONCE.exec(nonce);
  if (!m) return false;
  const period = Number(m[1]);
  const now = periodAt(nowMs);
  if (period !== now && period !== now - 1) return false;
  // Both sides are public values: a plain comparison leaks nothing.
  return nonce === (await nonceOf(secret, period));
}

/**
 * High-entropy shared secrets (OAuth client secrets, service-account secrets), stored as
 * `sha256$<64 hex>`. A single fast hash is enough because these secrets carry ≥ 128 bits of
 * entropy, so guessing is infeasible regardless of hash cost (unlike user passwords, see
 * `password.ts`); the hash only keeps the plaintext out of configuration and logs.
 */
import { isolateCaches } from "../cache.ts";
import { constantTimeEqual, constantTimeEqualText, fromHex, sha256, toBase64Url, toHex } from "../bytes.ts";

/** Algorithm label that starts every stored secret hash. */
export const SECRET_HASH_PREFIX = "sha256";

/**
 * Parses `sha256$<hex>` into the 32 digest bytes, or returns a reason string when malformed.
 * Never throws.
 */
export function parseSecretHash(stored: string): Uint8Array<ArrayBuffer> | string {
  const m = /^sha256\$([0-9a-fA-F]{64})$/.exec(stored);
  if (!m) return "expected sha256$<64 hex digits>";
  return fromHex(m[1] as string) as Uint8Array<ArrayBuffer>;
}

/** Hashes a secret for storage: `sha256$<lower-case hex of SHA-256(UTF-8 secret)>`. */
export async function hashSecret(secret: string): Promise<string> {
  return `${SECRET_HASH_PREFIX}$${toHex(await sha256(secret))}`;
}

/**
 * Verifies a presented secret against a stored hash. Compares the two 32-byte digests with
 * XOR accumulation, so timing is independent of the presented secret's length and of where
 * the digests differ. Never throws; a malformed or absent stored hash (unknown client) still
 * hashes the presented secret and returns `false`. The secret that last verified against a
 * stored hash is remembered, and the same text presented again skips the hash.
 */
export async function verifySecret(secret: string, stored: string | undefined): Promise<boolean> {
  try {
    const known = stored === undefined ? undefined : knownHash(stored);
    // The secret that last verified against this hash, presented again: equal text, compared
    // in constant time, is the same secret (docs/security.md, "Remembered verifications").
    if (known?.last !== undefined && constantTimeEqualText(secret, known.last)) return true;
    const presented = await sha256(secret);
    if (known === undefined || typeof known.expected === "string") {
      constantTimeEqual(presented, new Uint8Array(32));
      return false;
    }
    const ok = constantTimeEqual(presented, known.expected);
    if (ok) known.last = secret;
    return ok;
  } catch {
    return false;
  }
}

/**
 * Stored hashes come from the configuration, so there are few of them (bounded all the same):
 * per isolate, each is parsed once instead of on every authentication, and keeps the last
 * presented secret that verified against it, so that a client calling again with the same
 * secret skips the SHA-256 (one WebCrypto call, ~6 µs of a ~300 µs token exchange in
 * workerd). A hash no longer in the configuration is simply never asked for again.
 */
const known = isolateCaches.cache<{ expected: Uint8Array<ArrayBuffer> | string; last?: string }>("identity.secret-hashes", {
  maxEntries: 1024,
  maxKeyChars: 128, // "sha256$" and 64 hex digits
  entryBytes: 400, // the parsed hash and the last secret that verified
});
function knownHash(stored: string): { expected: Uint8Array<ArrayBuffer> | string; last?: string } {
  let k = known.get(stored);
  if (k === undefined) known.set(stored, (k = { expected: parseSecretHash(stored) }));
  return k;
}

/** Forgets remembered secrets (tests). */
export function forgetVerifiedSecrets(): void {
  known.clear();
}

/** A fresh 32-byte random secret, base64url without padding (43 characters). */
export function generateSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * P_SHA1, the key-combining function of WS-Trust computed keys (WS-Trust 1.3 §4.4.3,
 * ComputedKeyAlgorithm `…/CK/PSHA1`; the 2005 draft's `…/2005/02/trust/CK/PSHA1` is the same):
 * the TLS 1.0 data-expansion function P_hash with HMAC-SHA1 (RFC 2246 §5), over WebCrypto.
 *
 *   P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + …
 *   A(0) = seed, A(i) = HMAC(secret, A(i-1))
 *
 * WS-Trust computes the proof key as P_SHA1(requestor entropy, issuer entropy): the requestor's
 * entropy is the HMAC secret, the issuer's the seed, and the output is cut to the key size.
 */

export type PHashName = "SHA-1" | "SHA-256";

const OUTPUT_BYTES: Record<PHashName, number> = { "SHA-1": 20, "SHA-256": 32 };

/**
 * Longest output asked for: 1 KiB is far beyond any key (wst:KeySize is at most 512 bits here),
 * and the bound keeps a length that slipped past a caller's check from costing thousands of
 * HMAC rounds.
 */
export const MAX_P_HASH_BYTES = 1024;

/**
 * The first `bytes` bytes of P_hash(secret, seed). SHA-256 is here because the TLS 1.2 PRF
 * (RFC 5246 §5) is the same construction over it, which gives a published vector for the loop.
 * @throws RangeError for a negative, fractional or too large length, or an empty secret.
 */
export async function pHash(hash: PHashName, secret: Uint8Array, seed: Uint8Array, bytes: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_P_HASH_BYTES) {
    throw new RangeError(`P_hash: the output length must be a whole number of bytes, at most ${MAX_P_HASH_BYTES}`);
  }
  // An empty HMAC key is legal in RFC 2104 but WebCrypto refuses a zero-length raw key, and no
  // protocol calls P_hash with an empty secret (WS-Trust entropy is at least 128 bits).
  if (secret.length === 0) throw new RangeError("P_hash: the secret must not be empty");
  const key = await crypto.subtle.importKey("raw", secret as Uint8Array<ArrayBuffer>, { name: "HMAC", hash }, false, ["sign"]);
  const n = OUTPUT_BYTES[hash];
  const out = new Uint8Array(Math.ceil(bytes / n) * n);
  // A(i) || seed in one buffer, so each round signs it without a new concatenation.
  const block = new Uint8Array(n + seed.length);
  block.set(seed, n);
  let a: Uint8Array<ArrayBuffer> = seed as Uint8Array<ArrayBuffer>;
  for (let o = 0; o < bytes; o += n) {
    a = new Uint8Array(await crypto.subtle.sign("HMAC", key, a));
    block.set(a, 0);
    out.set(new Uint8Array(await crypto.subtle.sign("HMAC", key, block)), o);
  }
  return out.slice(0, bytes);
}

/**
 * A WS-Trust computed key (WS-Trust 1.3 §4.4.3): P_SHA1(requestor entropy, issuer entropy),
 * truncated to `keySizeBits`, which must be a whole number of bytes (wst:KeySize is in bits,
 * and every symmetric key algorithm a proof key serves is byte-sized).
 * @throws RangeError for a key size that is not a positive multiple of 8.
 */
export function pSha1(requestorEntropy: Uint8Array, issuerEntropy: Uint8Array, keySizeBits: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!Number.isInteger(keySizeBits) || keySizeBits <= 0 || keySizeBits % 8 !== 0) {
    return Promise.reject(new RangeError("P_SHA1: the key size must be a positive multiple of 8 bits"));
  }
  return pHash("SHA-1", requestorEntropy, issuerEntropy, keySizeBits / 8);
}

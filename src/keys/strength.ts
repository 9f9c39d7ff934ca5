/**
 * The smallest RSA modulus accepted for any key the STS signs, verifies, encrypts to or binds a
 * token to: 2048 bits (NIST SP 800-131A, 112-bit security; RFC 7518 §3.3 asks the same of JWS).
 * One figure for every path, so that no door takes a key another refuses.
 */
export const MIN_RSA_BITS = 2048;

/**
 * The bit length of a big-endian unsigned integer (an RSA modulus or exponent): its bits from the
 * highest one set, so leading zero bytes add nothing and a short top byte counts only its own
 * bits. A key's size is its modulus's bit length (RFC 8017 §2), never its encoding's bytes × 8,
 * which would let a 2041-bit modulus pass for 2048; every strength check counts it here.
 */
export function bitLength(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return i === b.length ? 0 : (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

/**
 * Why a public key is too weak for anything the STS does with keys, or undefined: "an RSA key of
 * 1024 bits; at least 2048 are needed". EC keys pass: the readers take P-256, P-384 and P-521
 * only, and refuse other curves and key types as unreadable.
 */
export function keyWeakness(key: { kty: string; modulusBits?: number }): string | undefined {
  if (key.kty === "RSA" && (key.modulusBits ?? 0) < MIN_RSA_BITS) return `an RSA key of ${key.modulusBits ?? 0} bits; at least ${MIN_RSA_BITS} are needed`;
  return undefined;
}

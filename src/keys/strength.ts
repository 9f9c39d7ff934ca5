/**
 * The smallest RSA modulus accepted for any key the STS signs, verifies, encrypts to or binds a
 * token to: 2048 bits (NIST SP 800-131A, 112-bit security; RFC 7518 §3.3 asks the same of JWS).
 * One figure for every path, so that no door takes a key another refuses.
 */
export const MIN_RSA_BITS = 2048;

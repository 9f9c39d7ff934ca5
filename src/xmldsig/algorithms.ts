/**
 * XML-DSig algorithm identifiers (XML-DSig 1.1 §6, RFC 6931) and what they mean in WebCrypto.
 * Asymmetric signatures verify against public keys. HMAC (§6.3) is a separate path that only a
 * caller holding a shared secret (a proof key) can take: it is never tried with a public key, so
 * the classic key confusion (HMAC keyed with a public "secret") cannot arise.
 */
import type { SignatureAlg } from "../keys/keyring.ts";

export { DSIG_NS } from "../xml/dom.ts";
export const ENVELOPED_SIGNATURE = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

export const RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
export const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
export const RSA_SHA384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
export const RSA_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
/** RSASSA-PSS with SHA-256 and MGF1-SHA-256, salt the hash's length (RFC 6931 §2.3.10). */
export const RSA_PSS_SHA256 = "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1";
export const ECDSA_SHA1 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1";
export const ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
export const ECDSA_SHA384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
export const ECDSA_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512";

/** HMAC signature methods (XML-DSig 1.1 §6.3, RFC 6931 §2.2.2), for proof-key signatures only. */
export const HMAC_SHA1 = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
export const HMAC_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";
export const HMAC_ALGORITHMS: ReadonlyMap<string, HashName> = new Map([
  [HMAC_SHA1, "SHA-1"],
  [HMAC_SHA256, "SHA-256"],
]);

export const SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1";
export const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
export const SHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384";
export const SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512";

export type HashName = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";

export interface SignatureAlgorithm {
  uri: string;
  kty: "RSA" | "EC";
  hash: HashName;
  /** The key-ring algorithm with the same primitive and hash. */
  keyAlg: SignatureAlg;
  /** WebCrypto sign/verify parameters (RSA: the hash is bound at import). */
  params: { name: string; hash?: HashName; saltLength?: number };
}

function sig(uri: string, kty: "RSA" | "EC", bits: 1 | 256 | 384 | 512): SignatureAlgorithm {
  const hash = `SHA-${bits}` as HashName;
  const keyAlg = `${kty === "RSA" ? "RS" : "ES"}${bits}` as SignatureAlg;
  return { uri, kty, hash, keyAlg, params: kty === "RSA" ? { name: "RSASSA-PKCS1-v1_5" } : { name: "ECDSA", hash } };
}

/** Every signature algorithm this module knows (SHA-1 ones still need explicit allowing). */
export const SIGNATURE_ALGORITHMS: ReadonlyMap<string, SignatureAlgorithm> = new Map(
  [
    sig(RSA_SHA1, "RSA", 1), sig(RSA_SHA256, "RSA", 256), sig(RSA_SHA384, "RSA", 384), sig(RSA_SHA512, "RSA", 512),
    sig(ECDSA_SHA1, "EC", 1), sig(ECDSA_SHA256, "EC", 256), sig(ECDSA_SHA384, "EC", 384), sig(ECDSA_SHA512, "EC", 512),
    { uri: RSA_PSS_SHA256, kty: "RSA", hash: "SHA-256", keyAlg: "PS256", params: { name: "RSA-PSS", saltLength: 32 } } satisfies SignatureAlgorithm,
  ].map((a) => [a.uri, a]),
);

/** Digest URIs → WebCrypto hash names. */
export const DIGEST_ALGORITHMS: ReadonlyMap<string, HashName> = new Map([
  [SHA1, "SHA-1"],
  [SHA256, "SHA-256"],
  [SHA384, "SHA-384"],
  [SHA512, "SHA-512"],
]);

/** Accepted by default when verifying: SHA-2 only (SHA-1 is broken for signatures, RFC 6194). */
export const DEFAULT_SIGNATURE_ALGORITHMS: readonly string[] = [
  RSA_SHA256, RSA_SHA384, RSA_SHA512, ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512,
];
export const DEFAULT_DIGEST_ALGORITHMS: readonly string[] = [SHA256, SHA384, SHA512];

/** The raw r||s length of an ECDSA signature on a curve (XML-DSig 1.1 §6.4.3). */
export const ECDSA_SIGNATURE_BYTES: Readonly<Record<string, number>> = { "P-256": 64, "P-384": 96, "P-521": 132 };

/** Digest of bytes with a digest URI's hash. */
export async function digest(hash: HashName, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(hash, data));
}

/**
 * XML Encryption 1.1 identifiers (§5) and what they mean in WebCrypto. Block encryption: AES-GCM
 * (§5.2.4) and AES-CBC (§5.2.2) with 128- or 256-bit keys. Key transport: RSA-OAEP only (§5.5.2);
 * RSA PKCS#1 v1.5 (`rsa-1_5`) is never accepted (Bleichenbacher's padding oracle, and the
 * attacks on XML Encryption that use it: Jager, Schinzel, Somorovsky, ESORICS 2012).
 */
import type { OaepHash } from "../keys/encryption-keys.ts";
import { DIGEST_ALGORITHMS, SHA1, SHA256 } from "../xmldsig/algorithms.ts";

export { BASE64_BINARY, DSIG_NS, WSSE_NS } from "../xml/dom.ts";
export const XENC_NS = "http://www.w3.org/2001/04/xmlenc#";
export const XENC11_NS = "http://www.w3.org/2009/xmlenc11#";

/** EncryptedData Type: the plaintext is one whole element (§3.5.1). */
export const TYPE_ELEMENT = "http://www.w3.org/2001/04/xmlenc#Element";

export const AES128_CBC = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
export const AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
export const AES128_GCM = "http://www.w3.org/2009/xmlenc11#aes128-gcm";
export const AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm";

export const RSA_OAEP_MGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
export const RSA_OAEP = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
/** Named only to refuse it with a clear reason. */
export const RSA_1_5 = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";

export const MGF1_SHA1 = "http://www.w3.org/2009/xmlenc11#mgf1sha1";
export const MGF1_SHA256 = "http://www.w3.org/2009/xmlenc11#mgf1sha256";
export const MGF1_SHA384 = "http://www.w3.org/2009/xmlenc11#mgf1sha384";
export const MGF1_SHA512 = "http://www.w3.org/2009/xmlenc11#mgf1sha512";

/** MGF URIs → the hash MGF1 runs on (§5.5.2: absent means mgf1sha1). */
export const MGF_ALGORITHMS: ReadonlyMap<string, OaepHash> = new Map([
  [MGF1_SHA1, "SHA-1"],
  [MGF1_SHA256, "SHA-256"],
  [MGF1_SHA384, "SHA-384"],
  [MGF1_SHA512, "SHA-512"],
]);

/** WS-Security X.509 Token Profile 1.1 §3.2: a KeyIdentifier holding the certificate's SHA-1. */
export const THUMBPRINT_SHA1 = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1";

export interface DataAlgorithm {
  uri: string;
  mode: "AES-GCM" | "AES-CBC";
  keyBytes: 16 | 32;
  /** §5.2.2: a 16-byte IV for CBC; §5.2.4: a 12-byte IV for GCM. Both go before the ciphertext. */
  ivBytes: 12 | 16;
}

function data(uri: string, mode: DataAlgorithm["mode"], keyBytes: 16 | 32): DataAlgorithm {
  return { uri, mode, keyBytes, ivBytes: mode === "AES-GCM" ? 12 : 16 };
}

/** Every block encryption algorithm this module knows. */
export const DATA_ALGORITHMS: ReadonlyMap<string, DataAlgorithm> = new Map(
  [data(AES128_CBC, "AES-CBC", 16), data(AES256_CBC, "AES-CBC", 32), data(AES128_GCM, "AES-GCM", 16), data(AES256_GCM, "AES-GCM", 32)]
    .map((a) => [a.uri, a]),
);

/**
 * Accepted by default when decrypting: GCM only. CBC has no integrity, and its padding and the
 * parse of the decrypted XML answer an attacker's questions (Jager and Somorovsky, "How to break
 * XML Encryption", CCS 2011); allowing it also lets an attacker turn GCM-encrypted keys into
 * CBC ones ("backwards compatibility attacks", CCS 2013). A caller that must accept CBC lists it.
 */
export const DEFAULT_DATA_ALGORITHMS: readonly string[] = [AES128_GCM, AES256_GCM];
export const DEFAULT_KEY_TRANSPORTS: readonly string[] = [RSA_OAEP_MGF1P, RSA_OAEP];

/** A key transport as written in an EncryptedKey's EncryptionMethod. */
export interface KeyTransport {
  uri: string;
  hash: OaepHash;
  /** ds:DigestMethod's Algorithm. */
  digestUri: string;
  /** xenc11:MGF's Algorithm (xmlenc11#rsa-oaep only; rsa-oaep-mgf1p fixes MGF1-SHA1). */
  mgfUri?: string;
}

/**
 * The two key transports we write: rsa-oaep-mgf1p (SHA-1 digest, MGF1-SHA1: what every XML
 * Encryption stack reads, .NET Framework included) and xmlenc11#rsa-oaep with SHA-256 for both
 * the digest and MGF1 (WebCrypto cannot mix hashes).
 */
export const KEY_TRANSPORTS: Readonly<Record<typeof RSA_OAEP_MGF1P | typeof RSA_OAEP, KeyTransport>> = {
  [RSA_OAEP_MGF1P]: { uri: RSA_OAEP_MGF1P, hash: "SHA-1", digestUri: SHA1 },
  [RSA_OAEP]: { uri: RSA_OAEP, hash: "SHA-256", digestUri: SHA256, mgfUri: MGF1_SHA256 },
};

/** Digest URIs → WebCrypto hash names (the XML-DSig table: OAEP digests use the same URIs). */
export { DIGEST_ALGORITHMS };

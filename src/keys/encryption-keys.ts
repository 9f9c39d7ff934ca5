/**
 * RSA keys for key transport (RSA-OAEP, RFC 8017 §7.1): a relying party's encryption
 * certificate, which we encrypt content and proof keys for, and a private key of ours, which
 * decrypts what is encrypted for us. Like the key ring, each is loaded once per configured key
 * and imports its WebCrypto keys lazily, once per OAEP hash: an import costs more than the
 * RSA public operation it serves. Both are bounded by the configuration, so they live beside it
 * rather than in the isolate's cache registry.
 */
import { KeyRingError, bytesEqual } from "./keyring.ts";
import { pemToDer, toBase64 } from "./pem.ts";
import { keyWeakness } from "./strength.ts";
import { parseCertificate } from "./x509.ts";
import type { ParsedCertificate } from "./x509.ts";

/**
 * The hash of an RSA-OAEP operation. WebCrypto uses one hash for both the OAEP digest and MGF1,
 * so this names both (XML Encryption's rsa-oaep-mgf1p is SHA-1 for both; xmlenc11#rsa-oaep
 * names them separately, and only equal pairs can be served).
 */
export type OaepHash = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";


/** A relying party's encryption certificate, ready to encrypt keys for it. */
export interface EncryptionCertificate {
  /** The exact DER, for ds:X509Certificate. */
  certificateDer: Uint8Array;
  /** Standard base64 of the DER. */
  certificateBase64: string;
  /** SHA-1 of the DER: WS-Security X.509 Token Profile 1.1 §3.2 ThumbprintSHA1 (what WCF matches). */
  thumbprintSha1: Uint8Array;
  modulusBits: number;
  /** The RSA-OAEP public key for this hash (imported on first use, then kept). */
  publicKeyFor(hash: OaepHash): Promise<CryptoKey>;
}

/** A private key of ours that content and proof keys may be encrypted for. */
export interface DecryptionKey {
  /** Its certificate's DER: an EncryptedKey that names another certificate is not for us. */
  certificateDer: Uint8Array;
  thumbprintSha1: Uint8Array;
  modulusBits: number;
  /** The RSA-OAEP private key for this hash (imported on first use, then kept). */
  privateKeyFor(hash: OaepHash): Promise<CryptoKey>;
}

function rsaCertificate(pem: string, what: string): ParsedCertificate & { modulusBits: number } {
  let cert: ParsedCertificate;
  try {
    cert = parseCertificate(pemToDer(pem, "CERTIFICATE"));
  } catch (e) {
    throw new KeyRingError(`${what}: bad certificate: ${(e as Error).message}`);
  }
  if (cert.kty !== "RSA" || cert.modulusBits === undefined) throw new KeyRingError(`${what}: key transport needs an RSA certificate`);
  const weak = keyWeakness(cert);
  if (weak) throw new KeyRingError(`${what}: ${weak}`);
  return cert as ParsedCertificate & { modulusBits: number };
}

/** Lazily imported keys, one promise per hash; a failed import is not remembered. */
function importer(make: (hash: OaepHash) => Promise<CryptoKey>): (hash: OaepHash) => Promise<CryptoKey> {
  const cache = new Map<OaepHash, Promise<CryptoKey>>();
  return (hash) => {
    let p = cache.get(hash);
    if (!p) {
      p = make(hash);
      cache.set(hash, p);
      p.catch(() => cache.delete(hash));
    }
    return p;
  };
}

async function sha1(der: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-1", der as Uint8Array<ArrayBuffer>));
}

/**
 * Loads a relying party's encryption certificate (PEM). Only RSA keys of at least 2048 bits.
 * Load once per configured certificate and keep the result: it holds the imported keys.
 * @throws KeyRingError naming `label` for a bad, non-RSA or short-key certificate.
 */
export async function loadEncryptionCertificate(certificatePem: string, label = "encryption certificate"): Promise<EncryptionCertificate> {
  const cert = rsaCertificate(certificatePem, label);
  const spki = cert.spki as Uint8Array<ArrayBuffer>;
  return {
    certificateDer: cert.der,
    certificateBase64: toBase64(cert.der),
    thumbprintSha1: await sha1(cert.der),
    modulusBits: cert.modulusBits,
    publicKeyFor: importer((hash) => crypto.subtle.importKey("spki", spki, { name: "RSA-OAEP", hash }, false, ["encrypt"])),
  };
}

/**
 * Loads one of our decryption keys: a PKCS#8 PEM private key and its certificate. The pair is
 * checked at load (a probe encrypted with the certificate must decrypt with the key), so a
 * mismatch fails the configuration, not the first request.
 * @throws KeyRingError naming `label`.
 */
export async function loadDecryptionKey(privateKeyPem: string, certificatePem: string, label = "decryption key"): Promise<DecryptionKey> {
  const cert = rsaCertificate(certificatePem, label);
  let pkcs8: Uint8Array<ArrayBuffer>;
  try {
    pkcs8 = pemToDer(privateKeyPem, "PRIVATE KEY") as Uint8Array<ArrayBuffer>;
  } catch (e) {
    throw new KeyRingError(`${label}: bad private key: ${(e as Error).message}`);
  }
  const key: DecryptionKey = {
    certificateDer: cert.der,
    thumbprintSha1: await sha1(cert.der),
    modulusBits: cert.modulusBits,
    privateKeyFor: importer((hash) => crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSA-OAEP", hash }, false, ["decrypt"])),
  };
  let privateKey: CryptoKey;
  try {
    privateKey = await key.privateKeyFor("SHA-256");
  } catch (e) {
    throw new KeyRingError(`${label}: the private key is not an RSA PKCS#8 key (${(e as Error).message})`);
  }
  const probe = crypto.getRandomValues(new Uint8Array(32));
  let back: Uint8Array | undefined;
  try {
    const pub = await crypto.subtle.importKey("spki", cert.spki as Uint8Array<ArrayBuffer>, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
    const sealed = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, pub, probe);
    back = new Uint8Array(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, privateKey, sealed));
  } catch {
    back = undefined; // an OAEP decryption error is what a mismatched pair looks like
  }
  if (!back || !bytesEqual(back, probe)) throw new KeyRingError(`${label}: the private key does not match its certificate`);
  return key;
}

/**
 * Relying parties' encryption certificates, loaded once per isolate and PEM: the memo holds the
 * imported public keys, which cost more than the RSA-OAEP operation they serve. Bounded by the
 * configuration (one entry per configured certificate); a failed load is not remembered.
 */
const loadedCertificates = new Map<string, Promise<EncryptionCertificate>>();

/** The loaded encryption certificate for a PEM (see `loadEncryptionCertificate`), memoised. */
export function encryptionCertificateFor(certificatePem: string): Promise<EncryptionCertificate> {
  let p = loadedCertificates.get(certificatePem);
  if (!p) {
    p = loadEncryptionCertificate(certificatePem);
    loadedCertificates.set(certificatePem, p);
    p.catch(() => loadedCertificates.delete(certificatePem));
  }
  return p;
}

/** Our decryption keys, loaded once per isolate and key pair (see `loadDecryptionKey`); a failed load is not remembered. */
const loadedDecryptionKeys = new Map<string, Promise<DecryptionKey>>();

/** The loaded decryption key for a PEM pair, memoised. */
export function decryptionKeyFor(privateKeyPem: string, certificatePem: string): Promise<DecryptionKey> {
  const id = certificatePem + "\n" + privateKeyPem;
  let p = loadedDecryptionKeys.get(id);
  if (!p) {
    p = loadDecryptionKey(privateKeyPem, certificatePem, "decryptionKeys");
    loadedDecryptionKeys.set(id, p);
    p.catch(() => loadedDecryptionKeys.delete(id));
  }
  return p;
}

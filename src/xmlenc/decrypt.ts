/**
 * Decryption of xenc:EncryptedData / xenc:EncryptedKey encrypted for a key of ours (XML
 * Encryption 1.1 §4.3 decryption process), strict by design: the key comes only from the caller
 * (never from the document), algorithms only from the caller's allow-list (default: AES-GCM and
 * RSA-OAEP), and every cryptographic failure is one error (`DECRYPTION_FAILED`), reached by the
 * same path whichever step failed.
 */
import type { Element } from "@xmldom/xmldom";
import type { DecryptionKey } from "../keys/encryption-keys.ts";
import { bytesEqual } from "../keys/keyring.ts";
import { DEFAULT_DATA_ALGORITHMS, DEFAULT_KEY_TRANSPORTS } from "./algorithms.ts";
import { BlockDecryptionFailure, decryptData } from "./cipher.ts";
import { XmlEncError, decryptionFailed } from "./errors.ts";
import { type DecryptPolicy, type ParsedEncryptedData, type ParsedEncryptedKey, parseEncryptedData, parseEncryptedKey } from "./parse.ts";

export interface DecryptOptions {
  /** Block encryption URIs accepted; default AES-GCM only (see DEFAULT_DATA_ALGORITHMS for why). */
  allowedDataAlgorithms?: readonly string[];
  /** Key transport URIs accepted; default rsa-oaep-mgf1p and xmlenc11#rsa-oaep. */
  allowedKeyTransports?: readonly string[];
  /** Largest CipherValue, decoded; default 1 MiB (the parser's own document limit). */
  maxCipherBytes?: number;
  /**
   * The xenc:EncryptedKey carried beside the EncryptedData rather than inside its KeyInfo (SAML
   * 2.0 §6.2 allows it in saml:EncryptedAssertion; OpenSAML places it there by default).
   */
  peerKey?: Element;
}

export interface Decrypted {
  /** The decrypted octets, exactly as they were encrypted (for Type Element: one element). */
  plaintext: Uint8Array;
  dataAlgorithm: string;
  keyTransport: string;
}

const DEFAULT_MAX_CIPHER_BYTES = 1024 * 1024;

function policyOf(o: DecryptOptions): DecryptPolicy {
  return {
    dataAlgorithms: o.allowedDataAlgorithms ?? DEFAULT_DATA_ALGORITHMS,
    keyTransports: o.allowedKeyTransports ?? DEFAULT_KEY_TRANSPORTS,
    maxCipherBytes: o.maxCipherBytes ?? DEFAULT_MAX_CIPHER_BYTES,
  };
}

/**
 * Refuses an EncryptedKey whose KeyInfo names a certificate that is not the key's: a clear
 * answer for data sent to the wrong party (certificates and thumbprints are public values).
 */
function assertForKey(ek: ParsedEncryptedKey, key: DecryptionKey): void {
  const certOk = ek.certificates.every((c) => bytesEqual(c, key.certificateDer));
  const thumbOk = ek.thumbprints.every((t) => bytesEqual(t, key.thumbprintSha1));
  if (!certOk || !thumbOk) throw new XmlEncError("KEY_MISMATCH", "the data is encrypted for another certificate");
}

/** RSA-OAEP decryption of the key; `undefined` when it fails (the caller decides what to say). */
async function unwrap(ek: ParsedEncryptedKey, key: DecryptionKey): Promise<Uint8Array | undefined> {
  try {
    const privateKey = await key.privateKeyFor(ek.hash); // imported once per key and hash
    return new Uint8Array(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, privateKey, ek.cipherValue as Uint8Array<ArrayBuffer>));
  } catch {
    return undefined;
  }
}

/**
 * Decrypts a standalone xenc:EncryptedKey (e.g. a proof key) with our private key.
 * @throws XmlEncError: MALFORMED, UNSUPPORTED_ALGORITHM, KEY_MISMATCH, TOO_LARGE, or
 * DECRYPTION_FAILED for any cryptographic failure.
 */
export async function decryptKey(encryptedKey: Element, key: DecryptionKey, options: DecryptOptions = {}): Promise<Uint8Array> {
  const ek = parseEncryptedKey(encryptedKey, policyOf(options));
  assertForKey(ek, key);
  const raw = await unwrap(ek, key);
  if (!raw) throw decryptionFailed();
  return raw;
}

/**
 * Decrypts an xenc:EncryptedData of Type Element whose content key is an xenc:EncryptedKey in
 * its ds:KeyInfo, with our private key, and returns the plaintext octets (parse them with
 * src/xml/parse.ts: they are as untrusted as the document they came in).
 *
 * Every refusal that does not need the key (structure, algorithms, size, recipient) comes
 * before any cryptography. After that, a key that does not unwrap, or unwraps to the wrong
 * length, is replaced by random bytes and the data is decrypted all the same (the decoy fails),
 * so a failed key transport and a failed block decryption take the same path and give the same
 * error: the answer is no oracle for RSA-OAEP (Manger's attack) or for the content key.
 * @throws XmlEncError as {@link decryptKey}.
 */
export async function decryptElement(encryptedData: Element, key: DecryptionKey, options: DecryptOptions = {}): Promise<Decrypted> {
  return decryptParsed(readEncryptedData(encryptedData, options), key);
}

/**
 * The EncryptedData read under the options' policy, before any cryptography: what a caller that
 * tries several keys, or remembers what it opened, reads once (then {@link decryptParsed}).
 * @throws XmlEncError MALFORMED, UNSUPPORTED_ALGORITHM or TOO_LARGE
 */
export function readEncryptedData(encryptedData: Element, options: DecryptOptions = {}): ParsedEncryptedData {
  return parseEncryptedData(encryptedData, policyOf(options), options.peerKey);
}

/** {@link decryptElement} of an EncryptedData already read. @throws XmlEncError KEY_MISMATCH or DECRYPTION_FAILED */
export async function decryptParsed(parsed: ParsedEncryptedData, key: DecryptionKey): Promise<Decrypted> {
  const ek = parsed.encryptedKey;
  assertForKey(ek, key);
  const alg = parsed.algorithm;
  const raw = await unwrap(ek, key);
  const keyOk = raw !== undefined && raw.length === alg.keyBytes;
  const contentKey = keyOk ? raw : crypto.getRandomValues(new Uint8Array(alg.keyBytes));
  let plaintext: Uint8Array | undefined;
  try {
    plaintext = await decryptData(alg, contentKey, parsed.cipherValue);
  } catch (e) {
    if (!(e instanceof BlockDecryptionFailure)) throw e;
  }
  if (!keyOk || plaintext === undefined) throw decryptionFailed();
  return { plaintext, dataAlgorithm: alg.uri, keyTransport: ek.transportUri };
}

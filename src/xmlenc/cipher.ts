/**
 * The block encryption of XML Encryption 1.1 over WebCrypto: the octets a CipherValue holds are
 * IV || ciphertext for AES-CBC (§5.2.2) and IV || ciphertext || 128-bit tag for AES-GCM
 * (§5.2.4, which fixes a 96-bit IV and a 128-bit tag).
 */
import { concatBytes } from "../bytes.ts";
import type { DataAlgorithm } from "./algorithms.ts";

const BLOCK = 16;
const GCM_TAG_BITS = 128;

/** A fresh random content key for `alg`, imported for encryption only. */
export async function newContentKey(alg: DataAlgorithm): Promise<{ raw: Uint8Array<ArrayBuffer>; key: CryptoKey }> {
  const raw = crypto.getRandomValues(new Uint8Array(alg.keyBytes));
  return { raw, key: await crypto.subtle.importKey("raw", raw, alg.mode, false, ["encrypt"]) };
}

/**
 * IV || ciphertext (|| tag). CBC padding: WebCrypto pads as PKCS#7, which is one of the paddings
 * §5.2.2 allows (its only rule is that the last octet gives the padding length, 1 to 16, the
 * other padding octets being arbitrary), so every XML Encryption decryptor removes it.
 */
export async function encryptData(alg: DataAlgorithm, key: CryptoKey, plaintext: Uint8Array): Promise<Uint8Array> {
  // A fresh random IV per message; for GCM a 96-bit random IV is NIST SP 800-38D §8.2.2's
  // construction, safe for far more messages than one content key ever sees (it sees one).
  const iv = crypto.getRandomValues(new Uint8Array(alg.ivBytes));
  const params = alg.mode === "AES-GCM" ? { name: "AES-GCM", iv, tagLength: GCM_TAG_BITS } : { name: "AES-CBC", iv };
  const sealed = new Uint8Array(await crypto.subtle.encrypt(params, key, plaintext as Uint8Array<ArrayBuffer>));
  return concatBytes([iv, sealed]);
}

/** Any failure of the block decryption; the caller turns it into its one decryption error. */
export class BlockDecryptionFailure extends Error {}

/**
 * Decrypts IV || ciphertext (|| tag) with a raw content key. Every failure — a wrong length, a
 * tag that does not verify, padding that is not XML Encryption padding — is the same
 * {@link BlockDecryptionFailure}.
 */
export async function decryptData(alg: DataAlgorithm, raw: Uint8Array, octets: Uint8Array): Promise<Uint8Array> {
  if (raw.length !== alg.keyBytes) throw new BlockDecryptionFailure();
  const iv = octets.slice(0, alg.ivBytes);
  const body = octets.subarray(alg.ivBytes);
  try {
    if (alg.mode === "AES-GCM") {
      if (body.length < GCM_TAG_BITS / 8) throw new BlockDecryptionFailure();
      const key = await crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, "AES-GCM", false, ["decrypt"]);
      return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv, tagLength: GCM_TAG_BITS }, key, body));
    }
    if (body.length === 0 || body.length % BLOCK !== 0) throw new BlockDecryptionFailure();
    return await decryptCbc(raw as Uint8Array<ArrayBuffer>, iv, body);
  } catch {
    throw new BlockDecryptionFailure();
  }
}

/**
 * AES-CBC with XML Encryption's padding, which WebCrypto's strict PKCS#7 check would refuse when
 * the sender filled the padding with random octets (xmlsec1 and Java's ISO10126Padding do).
 * Appending one block that is the encryption of a full PKCS#7 padding block chained after the
 * last ciphertext block makes WebCrypto strip exactly that block and return every original
 * plaintext block; then the last octet, 1 to 16, says how much XML Encryption padding to drop.
 */
async function decryptCbc(raw: Uint8Array<ArrayBuffer>, iv: Uint8Array<ArrayBuffer>, body: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", raw, "AES-CBC", false, ["encrypt", "decrypt"]);
  const last = body.slice(body.length - BLOCK);
  // Encrypting nothing with IV = last block yields E(last XOR 16 × 0x10): the padding block.
  const padBlock = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv: last }, key, new Uint8Array(0)));
  const plain = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CBC", iv }, key, concatBytes([body, padBlock]) as Uint8Array<ArrayBuffer>));
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK) throw new BlockDecryptionFailure();
  return plain.subarray(0, plain.length - pad);
}

/**
 * XML Encryption 1.1 for a recipient's certificate: an element becomes xenc:EncryptedData
 * (§4.2 encryption process; Type Element), its fresh AES content key an xenc:EncryptedKey
 * (RSA-OAEP key transport) inside the EncryptedData's ds:KeyInfo; or a given symmetric key
 * becomes a standalone xenc:EncryptedKey (a holder-of-key proof key inside a token).
 *
 * Written with the tree writer, not the message writer (markup.ts): an EncryptedKey also goes
 * inside signed assertions (SubjectConfirmation KeyInfo), where only the tree writer's exclusive
 * canonical form keeps the signature's octets what they are; the EncryptedData around it uses
 * the same builder so the xenc vocabulary is written in one place. Everything written is
 * self-contained (it declares every namespace it uses), so it can be embedded anywhere.
 */
import { toBase64, utf8 } from "../bytes.ts";
import type { EncryptionCertificate, OaepHash } from "../keys/encryption-keys.ts";
import { type TreeElement, addTreeChild, treeElement, writeExclusive } from "../xml/tree-writer.ts";
import {
  AES256_GCM, BASE64_BINARY, DATA_ALGORITHMS, DSIG_NS, KEY_TRANSPORTS, RSA_OAEP, RSA_OAEP_MGF1P, THUMBPRINT_SHA1, TYPE_ELEMENT,
  WSSE_NS, XENC11_NS, XENC_NS,
} from "./algorithms.ts";
import type { KeyTransport } from "./algorithms.ts";
import { encryptData, newContentKey } from "./cipher.ts";
import { XmlEncError } from "./errors.ts";

/**
 * How an EncryptedKey's ds:KeyInfo names the certificate it was encrypted for.
 * - `thumbprint` (default): `wsse:SecurityTokenReference/wsse:KeyIdentifier` with ValueType
 *   ThumbprintSHA1 (WS-Security X.509 Token Profile 1.1 §3.2), as AD FS and WIF write it and
 *   WCF resolves it against the service certificate; 40 bytes instead of the whole certificate.
 * - `certificate`: `ds:X509Data/ds:X509Certificate`, for SAML stacks that look keys up by
 *   certificate (Shibboleth, SimpleSAMLphp, OpenSAML); WCF reads it as a raw-data clause.
 * xmlsec1 and Apache Santuario decrypt either with the key they are given (docs/interop.md).
 */
export type RecipientReference = "thumbprint" | "certificate";

const HASH_BYTES: Readonly<Record<OaepHash, number>> = { "SHA-1": 20, "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };

export type KeyTransportUri = typeof RSA_OAEP_MGF1P | typeof RSA_OAEP;

export interface KeyTransportOptions {
  /** Default rsa-oaep-mgf1p (SHA-1 / MGF1-SHA1); xmlenc11#rsa-oaep means SHA-256 / MGF1-SHA256. */
  keyTransport?: KeyTransportUri;
  /** Default `thumbprint`. */
  recipientReference?: RecipientReference;
}

export interface EncryptOptions extends KeyTransportOptions {
  /** Default aes256-gcm; aes256-cbc for relying parties without GCM (older .NET). */
  dataAlgorithm?: string;
}

function keyTransportOf(opts: KeyTransportOptions): KeyTransport {
  const uri = opts.keyTransport ?? RSA_OAEP_MGF1P;
  const kt = KEY_TRANSPORTS[uri];
  if (!kt) throw new XmlEncError("UNSUPPORTED_ALGORITHM", `unsupported key transport ${String(uri)}`);
  return kt;
}

/** RSA-OAEP of `key` for the recipient, as an xenc:EncryptedKey element (not yet written). */
async function encryptedKeyTree(key: Uint8Array, recipient: EncryptionCertificate, opts: KeyTransportOptions): Promise<TreeElement> {
  const kt = keyTransportOf(opts);
  const reference = opts.recipientReference ?? "thumbprint";
  if (reference !== "thumbprint" && reference !== "certificate") {
    throw new XmlEncError("INVALID_INPUT", `unknown recipient reference ${String(reference)}`);
  }
  const publicKey = await recipient.publicKeyFor(kt.hash); // imported once per certificate and hash
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, publicKey, key as Uint8Array<ArrayBuffer>));

  const ek = treeElement(XENC_NS, "xenc:EncryptedKey");
  const method = addTreeChild(ek, XENC_NS, "xenc:EncryptionMethod", { Algorithm: kt.uri });
  // §5.5.2: DigestMethod defaults to SHA-1 and MGF to mgf1sha1; both are written anyway, so no
  // reader has to know a default.
  addTreeChild(method, DSIG_NS, "ds:DigestMethod", { Algorithm: kt.digestUri });
  if (kt.mgfUri) addTreeChild(method, XENC11_NS, "xenc11:MGF", { Algorithm: kt.mgfUri });
  const keyInfo = addTreeChild(ek, DSIG_NS, "ds:KeyInfo");
  if (reference === "thumbprint") {
    const str = addTreeChild(keyInfo, WSSE_NS, "wsse:SecurityTokenReference");
    addTreeChild(str, WSSE_NS, "wsse:KeyIdentifier", { EncodingType: BASE64_BINARY, ValueType: THUMBPRINT_SHA1 }, toBase64(recipient.thumbprintSha1));
  } else {
    addTreeChild(addTreeChild(keyInfo, DSIG_NS, "ds:X509Data"), DSIG_NS, "ds:X509Certificate", undefined, recipient.certificateBase64);
  }
  addTreeChild(addTreeChild(ek, XENC_NS, "xenc:CipherData"), XENC_NS, "xenc:CipherValue", undefined, toBase64(sealed));
  return ek;
}

/**
 * A standalone xenc:EncryptedKey of `key` (e.g. a symmetric proof key) for the recipient, as a
 * tree-writer element, ready to go inside a ds:KeyInfo of a token being built (and signed).
 * @throws XmlEncError for an unsupported key transport, or a key that is empty or too long for it.
 */
export async function encryptKey(key: Uint8Array, recipient: EncryptionCertificate, options: KeyTransportOptions = {}): Promise<TreeElement> {
  if (key.length === 0) throw new XmlEncError("INVALID_INPUT", "the key to encrypt is empty");
  // RFC 8017 §7.1.1: RSA-OAEP carries at most k - 2·hLen - 2 octets (190 for RSA-2048 with
  // SHA-256). WebCrypto would refuse a longer key too, but not with our error.
  const max = Math.ceil(recipient.modulusBits / 8) - 2 * HASH_BYTES[keyTransportOf(options).hash] - 2;
  if (key.length > max) throw new XmlEncError("INVALID_INPUT", `the key to encrypt is longer than ${max} bytes`);
  return encryptedKeyTree(key, recipient, options);
}

/**
 * An element's serialization starts with "<" and a name-start character and ends with ">" (XML
 * 1.0 §3.1): an XML declaration, a DOCTYPE, a comment or text would not survive being put back
 * in place of the EncryptedData. A cheap check on the caller's own bytes, not a parse.
 */
function looksLikeElement(o: Uint8Array): boolean {
  const c = o[1] ?? 0;
  // ASCII letter or "_", or the lead byte of a non-ASCII UTF-8 character.
  const nameStart = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0xc2;
  return o[0] === 0x3c && nameStart && o[o.length - 1] === 0x3e;
}

/**
 * Encrypts one element for the recipient: returns the xenc:EncryptedData that replaces it.
 *
 * `element` is the element's exact serialization (a string is taken as its UTF-8 octets, which
 * is what §4.2 step 3.1 encrypts): a signed assertion must be passed as the very bytes that were
 * signed, so that after decryption its signature still verifies. It must declare the namespaces
 * it uses (our signed tokens do: they are in exclusive canonical form), since the decryptor
 * parses it in the context of wherever the EncryptedData stands.
 *
 * Fresh per call: the content key (32 random bytes for AES-256), the IV, the OAEP seed.
 * @throws XmlEncError for an unsupported algorithm or input that is not an element.
 */
export async function encryptElement(element: string | Uint8Array, recipient: EncryptionCertificate, options: EncryptOptions = {}): Promise<string> {
  const dataUri = options.dataAlgorithm ?? AES256_GCM;
  const alg = DATA_ALGORITHMS.get(dataUri);
  if (!alg) throw new XmlEncError("UNSUPPORTED_ALGORITHM", `unsupported data encryption algorithm ${dataUri}`);
  const octets = typeof element === "string" ? utf8(element) : element;
  if (!looksLikeElement(octets)) {
    throw new XmlEncError("INVALID_INPUT", "the plaintext must be the serialization of one element");
  }
  const cek = await newContentKey(alg);
  const [cipherOctets, encryptedKey] = await Promise.all([
    encryptData(alg, cek.key, octets),
    encryptedKeyTree(cek.raw, recipient, options),
  ]);

  const ed = treeElement(XENC_NS, "xenc:EncryptedData", { Type: TYPE_ELEMENT });
  addTreeChild(ed, XENC_NS, "xenc:EncryptionMethod", { Algorithm: alg.uri });
  addTreeChild(ed, DSIG_NS, "ds:KeyInfo").children.push(encryptedKey);
  addTreeChild(addTreeChild(ed, XENC_NS, "xenc:CipherData"), XENC_NS, "xenc:CipherValue", undefined, toBase64(cipherOctets));
  return writeExclusive(ed);
}

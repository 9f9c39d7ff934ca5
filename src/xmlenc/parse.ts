/**
 * Strict structural reading of xenc:EncryptedData and xenc:EncryptedKey (XML Encryption 1.1 §3
 * schema, restricted to what a token needs): every element where the schema puts it, nothing
 * but whitespace between them, CipherValue text only, algorithms from the caller's allow-list.
 * Reading never fetches anything (no CipherReference, no RetrievalMethod) and never takes key
 * material from the document: a certificate or thumbprint in KeyInfo can only say that the data
 * was encrypted for another key than the caller's.
 */
import type { Element, Node } from "@xmldom/xmldom";
import type { OaepHash } from "../keys/encryption-keys.ts";
import { fromBase64 } from "../keys/pem.ts";
import {
  DATA_ALGORITHMS, DIGEST_ALGORITHMS, DSIG_NS, MGF_ALGORITHMS, RSA_1_5, RSA_OAEP, RSA_OAEP_MGF1P, THUMBPRINT_SHA1, TYPE_ELEMENT,
  WSSE_NS, XENC11_NS, XENC_NS,
} from "./algorithms.ts";
import type { DataAlgorithm } from "./algorithms.ts";
import { XmlEncError } from "./errors.ts";
import { valueText } from "../xml/dom.ts";

export interface DecryptPolicy {
  dataAlgorithms: readonly string[];
  keyTransports: readonly string[];
  maxCipherBytes: number;
}

export interface ParsedEncryptedKey {
  transportUri: string;
  hash: OaepHash;
  cipherValue: Uint8Array;
  /** DER of every ds:X509Data/ds:X509Certificate in its KeyInfo. */
  certificates: Uint8Array[];
  /** Every ThumbprintSHA1 wsse:KeyIdentifier in its KeyInfo. */
  thumbprints: Uint8Array[];
}

export interface ParsedEncryptedData {
  algorithm: DataAlgorithm;
  encryptedKey: ParsedEncryptedKey;
  cipherValue: Uint8Array;
}

const malformed = (reason: string) => new XmlEncError("MALFORMED", reason);
const unsupported = (reason: string) => new XmlEncError("UNSUPPORTED_ALGORITHM", reason);

const is = (n: Node | null | undefined, ns: string, local: string): n is Element =>
  !!n && n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local;

/** Element children; refuses text other than whitespace, and comments and PIs between them. */
function elementChildren(el: Element, what: string): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) out.push(c as Element);
    else if (c.nodeType !== 3 || !/^[ \t\r\n]*$/.test((c as unknown as { data: string }).data)) throw malformed(`unexpected content in ${what}`);
  }
  return out;
}

/** Text of a value element; anything but plain text (a comment, an element) is refused. */
function textOnly(el: Element, what: string): string {
  const s = valueText(el);
  if (s === undefined) throw malformed(`${what} must contain only text`);
  return s;
}

function base64(el: Element, what: string, maxBytes: number): Uint8Array {
  const text = textOnly(el, what).replace(/[\t\n\r ]+/g, "");
  // Refused before decoding: 4 characters carry 3 octets.
  if (text.length > Math.ceil(maxBytes / 3) * 4) throw new XmlEncError("TOO_LARGE", `${what} is larger than allowed`);
  let out: Uint8Array;
  try {
    out = fromBase64(text);
  } catch {
    throw malformed(`${what} is not valid base64`);
  }
  if (out.length > maxBytes) throw new XmlEncError("TOO_LARGE", `${what} is larger than allowed`);
  return out;
}

function algorithmOf(el: Element, what: string): string {
  const a = el.getAttribute("Algorithm");
  if (!a) throw malformed(`${what} has no Algorithm`);
  return a;
}

/** CipherData holding exactly one CipherValue; a CipherReference would make us fetch. */
function cipherValue(cipherData: Element, what: string, maxBytes: number): Uint8Array {
  const kids = elementChildren(cipherData, `${what} xenc:CipherData`);
  if (kids.length === 1 && is(kids[0], XENC_NS, "CipherReference")) throw malformed("xenc:CipherReference is not supported");
  if (kids.length !== 1 || !is(kids[0], XENC_NS, "CipherValue")) throw malformed(`${what} xenc:CipherData must hold one xenc:CipherValue`);
  return base64(kids[0], `${what} xenc:CipherValue`, maxBytes);
}

/** A key transport EncryptionMethod: RSA-OAEP, one hash for digest and MGF1, no label. */
function keyTransport(method: Element, policy: DecryptPolicy): { uri: string; hash: OaepHash } {
  const uri = algorithmOf(method, "xenc:EncryptionMethod");
  if (uri === RSA_1_5) throw unsupported("RSA PKCS#1 v1.5 key transport is never accepted");
  if ((uri !== RSA_OAEP_MGF1P && uri !== RSA_OAEP) || !policy.keyTransports.includes(uri)) throw unsupported("key transport algorithm not allowed");
  let digest: OaepHash = "SHA-1"; // §5.5.2: DigestMethod absent means SHA-1
  let mgf: OaepHash = "SHA-1"; // rsa-oaep-mgf1p fixes MGF1-SHA1; xmlenc11#rsa-oaep defaults to it
  let seenDigest = false;
  let seenMgf = false;
  for (const c of elementChildren(method, "xenc:EncryptionMethod")) {
    if (is(c, DSIG_NS, "DigestMethod") && !seenDigest) {
      seenDigest = true;
      if (elementChildren(c, "ds:DigestMethod").length > 0) throw malformed("unexpected content in ds:DigestMethod");
      const h = DIGEST_ALGORITHMS.get(algorithmOf(c, "ds:DigestMethod"));
      if (!h) throw unsupported("RSA-OAEP digest algorithm not supported");
      digest = h;
    } else if (is(c, XENC11_NS, "MGF") && !seenMgf && uri === RSA_OAEP) {
      seenMgf = true;
      if (elementChildren(c, "xenc11:MGF").length > 0) throw malformed("unexpected content in xenc11:MGF");
      const h = MGF_ALGORITHMS.get(algorithmOf(c, "xenc11:MGF"));
      if (!h) throw unsupported("RSA-OAEP mask generation function not supported");
      mgf = h;
    } else if (is(c, XENC_NS, "OAEPparams")) {
      throw unsupported("RSA-OAEP parameters (a label) are not supported");
    } else {
      throw malformed("unexpected content in xenc:EncryptionMethod");
    }
  }
  // WebCrypto's RSA-OAEP runs MGF1 on the digest's hash; a pair such as SHA-256 with MGF1-SHA1
  // (Java's OAEPWithSHA-256AndMGF1Padding default) cannot be decrypted here.
  if (digest !== mgf) throw unsupported("RSA-OAEP with different digest and MGF1 hashes is not supported");
  return { uri, hash: digest };
}

/** What the EncryptedKey's KeyInfo says about the recipient; everything else there is ignored. */
function recipientHints(keyInfo: Element | undefined): Pick<ParsedEncryptedKey, "certificates" | "thumbprints"> {
  const certificates: Uint8Array[] = [];
  const thumbprints: Uint8Array[] = [];
  if (!keyInfo) return { certificates, thumbprints };
  for (const c of elementChildren(keyInfo, "ds:KeyInfo")) {
    if (is(c, DSIG_NS, "X509Data")) {
      for (const d of elementChildren(c, "ds:X509Data")) {
        if (is(d, DSIG_NS, "X509Certificate")) certificates.push(base64(d, "ds:X509Certificate", 64 * 1024));
      }
    } else if (is(c, WSSE_NS, "SecurityTokenReference")) {
      for (const d of elementChildren(c, "wsse:SecurityTokenReference")) {
        if (is(d, WSSE_NS, "KeyIdentifier") && d.getAttribute("ValueType") === THUMBPRINT_SHA1) {
          thumbprints.push(base64(d, "wsse:KeyIdentifier", 20));
        }
      }
    }
    // KeyName, KeyValue, RetrievalMethod, X509IssuerSerial, …: never resolved, never a key.
  }
  return { certificates, thumbprints };
}

/**
 * Reads an xenc:EncryptedKey: EncryptionMethod, KeyInfo?, CipherData, then the optional
 * ReferenceList and CarriedKeyName, which say where the key is used and are not needed to
 * decrypt it.
 */
export function parseEncryptedKey(ek: Element, policy: DecryptPolicy): ParsedEncryptedKey {
  if (!is(ek, XENC_NS, "EncryptedKey")) throw malformed("not an xenc:EncryptedKey");
  const kids = elementChildren(ek, "xenc:EncryptedKey");
  let i = 0;
  if (!is(kids[i], XENC_NS, "EncryptionMethod")) throw malformed("xenc:EncryptedKey has no xenc:EncryptionMethod");
  const { uri, hash } = keyTransport(kids[i++]!, policy);
  const keyInfo = is(kids[i], DSIG_NS, "KeyInfo") ? kids[i++] : undefined;
  if (!is(kids[i], XENC_NS, "CipherData")) throw malformed("xenc:EncryptedKey has no xenc:CipherData");
  const value = cipherValue(kids[i++]!, "xenc:EncryptedKey", policy.maxCipherBytes);
  if (is(kids[i], XENC_NS, "ReferenceList")) i++;
  if (is(kids[i], XENC_NS, "CarriedKeyName")) i++;
  if (i !== kids.length) throw malformed("unexpected content in xenc:EncryptedKey");
  return { transportUri: uri, hash, cipherValue: value, ...recipientHints(keyInfo) };
}

const RETRIEVAL_ENCRYPTED_KEY = "http://www.w3.org/2001/04/xmlenc#EncryptedKey";

/**
 * The content key of an EncryptedData that carries it beside itself (`peer`, as OpenSAML places
 * it in a saml:EncryptedAssertion): its KeyInfo may be absent, or name that EncryptedKey by a
 * same-document ds:RetrievalMethod of Type EncryptedKey (never resolved otherwise) or a
 * ds:KeyName; nothing else.
 */
function peerKeyOf(keyInfo: Element | undefined, peer: Element, policy: DecryptPolicy): ParsedEncryptedKey {
  for (const c of keyInfo ? elementChildren(keyInfo, "ds:KeyInfo") : []) {
    const dsig = c.namespaceURI === DSIG_NS;
    if (dsig && c.localName === "KeyName") continue;
    if (!dsig || c.localName !== "RetrievalMethod" || c.getAttribute("Type") !== RETRIEVAL_ENCRYPTED_KEY) throw malformed("the content key must be one xenc:EncryptedKey");
    const id = peer.getAttribute("Id");
    if (!id || c.getAttribute("URI") !== `#${id}` || elementChildren(c, "ds:RetrievalMethod").length > 0) {
      throw malformed("ds:RetrievalMethod must name the xenc:EncryptedKey beside the xenc:EncryptedData");
    }
  }
  return parseEncryptedKey(peer, policy);
}

/**
 * Reads an xenc:EncryptedData of Type Element whose content key is an xenc:EncryptedKey inside
 * its ds:KeyInfo: EncryptionMethod, KeyInfo, CipherData and nothing else. With `peer`, the
 * content key is that EncryptedKey instead, carried beside the EncryptedData (see peerKeyOf).
 */
export function parseEncryptedData(ed: Element, policy: DecryptPolicy, peer?: Element): ParsedEncryptedData {
  if (!is(ed, XENC_NS, "EncryptedData")) throw malformed("not an xenc:EncryptedData");
  if (ed.getAttribute("Type") !== TYPE_ELEMENT) throw malformed("only xenc:EncryptedData of Type Element is accepted");
  // A transfer encoding of the plaintext (§3.1) is one more transform to get wrong; we write none.
  if (ed.hasAttribute("Encoding")) throw malformed("xenc:EncryptedData with an Encoding is not supported");
  const all = elementChildren(ed, "xenc:EncryptedData");
  // Beside a peer key, the KeyInfo is optional: without it, the three parts become two.
  const kids = peer && all.length === 2 ? [all[0], undefined, all[1]] : all;
  if (kids.length !== 3 || !is(kids[0], XENC_NS, "EncryptionMethod") || !(kids[1] === undefined || is(kids[1], DSIG_NS, "KeyInfo")) || !is(kids[2], XENC_NS, "CipherData")) {
    throw malformed("xenc:EncryptedData must hold xenc:EncryptionMethod, ds:KeyInfo and xenc:CipherData");
  }
  const uri = algorithmOf(kids[0], "xenc:EncryptionMethod");
  const algorithm = DATA_ALGORITHMS.get(uri);
  if (!algorithm || !policy.dataAlgorithms.includes(uri)) throw unsupported("data encryption algorithm not allowed");
  for (const c of elementChildren(kids[0], "xenc:EncryptionMethod")) {
    // KeySize (§3.5.1.1) may only repeat what the algorithm already says.
    if (!is(c, XENC_NS, "KeySize") || textOnly(c, "xenc:KeySize").trim() !== String(algorithm.keyBytes * 8)) {
      throw malformed("unexpected content in xenc:EncryptionMethod");
    }
  }
  let encryptedKey: ParsedEncryptedKey;
  if (peer) encryptedKey = peerKeyOf(kids[1], peer, policy);
  else {
    const keys = elementChildren(kids[1]!, "ds:KeyInfo");
    if (keys.length !== 1 || !is(keys[0], XENC_NS, "EncryptedKey")) throw malformed("the content key must be one xenc:EncryptedKey inside ds:KeyInfo");
    encryptedKey = parseEncryptedKey(keys[0], policy);
  }
  return { algorithm, encryptedKey, cipherValue: cipherValue(kids[2]!, "xenc:EncryptedData", policy.maxCipherBytes) };
}

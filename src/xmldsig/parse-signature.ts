/**
 * Strict structural reading of a ds:Signature (XML-DSig 1.1 §4 schema, restricted): every
 * element where the schema puts it, nothing else but whitespace between them, value elements
 * text-only (CVE-2025-29775: a comment inside DigestValue must not change what we read), and
 * only allowed algorithms. Reading never resolves anything and never imports keys.
 */
import type { Element, Node } from "@xmldom/xmldom";
import { fromBase64 } from "../keys/pem.ts";
import { C14N_10, EXC_C14N } from "../xml/c14n.ts";
import { valueText } from "../xml/dom.ts";
import { DIGEST_ALGORITHMS, DSIG_NS, ENVELOPED_SIGNATURE, HMAC_ALGORITHMS, SIGNATURE_ALGORITHMS } from "./algorithms.ts";
import type { HashName, SignatureAlgorithm } from "./algorithms.ts";
import type { ReferenceTransforms } from "./references.ts";

/** A refusal with a reason that is safe to show a client. */
export class Refusal extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
    this.name = "Refusal";
  }
}

export interface ParsedReference {
  uri: string;
  transforms: ReferenceTransforms;
  hash: HashName;
  digestUri: string;
  digestValue: Uint8Array;
}

/** An HMAC signature method: verifiable only with a shared secret (check.ts checkHmacSignatureValue). */
export interface HmacAlgorithm {
  uri: string;
  kty: "HMAC";
  hash: HashName;
}

export interface ParsedSignature {
  signature: Element;
  signedInfo: Element;
  c14n: string;
  c14nPrefixes: string[] | undefined;
  algorithm: SignatureAlgorithm | HmacAlgorithm;
  references: ParsedReference[];
  signatureValue: Uint8Array;
  /** DER of every ds:KeyInfo/ds:X509Data/ds:X509Certificate — used only to select anchor keys. */
  certificates: Uint8Array[];
}

export interface AlgorithmPolicy {
  signatureAlgorithms: readonly string[];
  digestAlgorithms: readonly string[];
  /** HMAC methods accepted (default none): only for a caller that verifies with a shared secret. */
  hmacAlgorithms?: readonly string[];
}

/** C14N algorithms accepted for SignedInfo and in Reference transforms (no #WithComments). */
const C14N_ALLOWED = new Set([EXC_C14N, C14N_10]);
const HASH_BYTES: Record<HashName, number> = { "SHA-1": 20, "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };

const isDs = (n: Node | null | undefined, local: string): n is Element =>
  !!n && n.nodeType === 1 && (n as Element).namespaceURI === DSIG_NS && (n as Element).localName === local;

/** Element children; refuses text other than whitespace, comments, PIs and CDATA. */
function elementChildren(el: Element, what: string): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) out.push(c as Element);
    else if (c.nodeType !== 3 || !/^[ \t\r\n]*$/.test((c as unknown as { data: string }).data)) {
      throw new Refusal(`unexpected content in ${what}`);
    }
  }
  return out;
}

/** Text of a value element; any child that is not a plain text node is refused. */
function textOnly(el: Element, what: string): string {
  const s = valueText(el);
  if (s === undefined) throw new Refusal(`${what} must contain only text`);
  return s;
}

function base64Value(el: Element, what: string): Uint8Array {
  try {
    return fromBase64(textOnly(el, what));
  } catch (e) {
    if (e instanceof Refusal) throw e;
    throw new Refusal(`${what} is not valid base64`);
  }
}

function expect(el: Element | undefined, local: string, where: string): Element {
  if (!isDs(el, local)) throw new Refusal(`expected ds:${local} in ${where}`);
  return el;
}

function algorithmOf(el: Element): string {
  const a = el.getAttribute("Algorithm");
  if (!a) throw new Refusal(`ds:${el.localName} has no Algorithm`);
  return a;
}

/** Reads a c14n method/transform: the URI and an exclusive PrefixList if present. */
function c14nOf(el: Element, uri: string): { c14n: string; prefixes: string[] | undefined } {
  if (!C14N_ALLOWED.has(uri)) throw new Refusal("canonicalization algorithm not allowed");
  const kids = elementChildren(el, `ds:${el.localName}`);
  if (kids.length === 0) return { c14n: uri, prefixes: undefined };
  const inc = kids[0]!;
  if (uri !== EXC_C14N || kids.length > 1 || inc.namespaceURI !== EXC_C14N || inc.localName !== "InclusiveNamespaces") {
    throw new Refusal("unexpected canonicalization parameters");
  }
  const list = inc.getAttribute("PrefixList") ?? "";
  return { c14n: uri, prefixes: list.split(/[ \t\r\n]+/).filter(Boolean) };
}

function parseReference(ref: Element, policy: AlgorithmPolicy): ParsedReference {
  const uri = ref.getAttribute("URI");
  if (uri === null) throw new Refusal("ds:Reference has no URI");
  const kids = elementChildren(ref, "ds:Reference");
  let i = 0;
  const transforms: ReferenceTransforms = { enveloped: false, c14n: "" };
  if (isDs(kids[0], "Transforms")) {
    const list = elementChildren(kids[0], "ds:Transforms");
    if (list.length === 0) throw new Refusal("empty ds:Transforms");
    list.forEach((t, j) => {
      const alg = algorithmOf(expect(t, "Transform", "ds:Transforms"));
      // Only [enveloped-signature] [c14n], in that order: anything else (XPath, XSLT, base64,
      // repeated transforms) is outside what tokens need and is attack surface.
      if (alg === ENVELOPED_SIGNATURE && j === 0 && elementChildren(t, "ds:Transform").length === 0) {
        transforms.enveloped = true;
      } else if (j === list.length - 1 && transforms.c14n === "") {
        const { c14n, prefixes } = c14nOf(t, alg);
        transforms.c14n = c14n;
        if (prefixes) transforms.inclusivePrefixes = prefixes;
      } else {
        throw new Refusal("transform not allowed");
      }
    });
    i = 1;
  }
  const digestUri = algorithmOf(expect(kids[i], "DigestMethod", "ds:Reference"));
  if (elementChildren(kids[i]!, "ds:DigestMethod").length > 0) throw new Refusal("unexpected content in ds:DigestMethod");
  const hash = DIGEST_ALGORITHMS.get(digestUri);
  if (!hash || !policy.digestAlgorithms.includes(digestUri)) throw new Refusal("digest algorithm not allowed");
  const digestValue = base64Value(expect(kids[i + 1], "DigestValue", "ds:Reference"), "ds:DigestValue");
  if (kids.length !== i + 2) throw new Refusal("unexpected content in ds:Reference");
  if (digestValue.length !== HASH_BYTES[hash]) throw new Refusal("ds:DigestValue has the wrong length");
  return { uri, transforms, hash, digestUri, digestValue };
}

/**
 * Reads and checks the structure of a ds:Signature. Throws Refusal (only) when anything is out
 * of place; the caller turns it into `{ ok: false, reason }`.
 */
export function parseSignature(signature: Element, policy: AlgorithmPolicy): ParsedSignature {
  if (!isDs(signature, "Signature")) throw new Refusal("not a ds:Signature");
  // Exactly one SignedInfo anywhere inside (CVE-2025-29774: a second, wrapped SignedInfo).
  if (signature.getElementsByTagNameNS(DSIG_NS, "SignedInfo").length !== 1) throw new Refusal("expected exactly one ds:SignedInfo");
  const kids = elementChildren(signature, "ds:Signature");
  const signedInfo = expect(kids[0], "SignedInfo", "ds:Signature");
  const signatureValue = base64Value(expect(kids[1], "SignatureValue", "ds:Signature"), "ds:SignatureValue");
  let certificates: Uint8Array[] = [];
  let rest = 2;
  if (isDs(kids[2], "KeyInfo")) {
    certificates = readCertificates(kids[2]);
    rest = 3;
  }
  for (const k of kids.slice(rest)) expect(k, "Object", "ds:Signature");

  const si = elementChildren(signedInfo, "ds:SignedInfo");
  const cm = expect(si[0], "CanonicalizationMethod", "ds:SignedInfo");
  const { c14n, prefixes } = c14nOf(cm, algorithmOf(cm));
  const sm = expect(si[1], "SignatureMethod", "ds:SignedInfo");
  const smUri = algorithmOf(sm);
  // HMACOutputLength (CVE-2009-0217 truncation) is never accepted; HMAC itself only where the
  // caller asks for it (it then verifies with its shared secret, never with a public key).
  if (sm.getElementsByTagNameNS(DSIG_NS, "HMACOutputLength").length > 0) throw new Refusal("HMACOutputLength is not allowed");
  if (elementChildren(sm, "ds:SignatureMethod").length > 0) throw new Refusal("unexpected content in ds:SignatureMethod");
  let algorithm: SignatureAlgorithm | HmacAlgorithm | undefined;
  const hmac = HMAC_ALGORITHMS.get(smUri);
  if (hmac) {
    if (!policy.hmacAlgorithms?.includes(smUri)) throw new Refusal("HMAC signatures are not accepted");
    algorithm = { uri: smUri, kty: "HMAC", hash: hmac };
  } else {
    algorithm = SIGNATURE_ALGORITHMS.get(smUri);
    if (!algorithm || !policy.signatureAlgorithms.includes(smUri)) throw new Refusal("signature algorithm not allowed");
  }
  const refs = si.slice(2);
  if (refs.length === 0) throw new Refusal("ds:SignedInfo has no ds:Reference");
  const references = refs.map((r) => parseReference(expect(r, "Reference", "ds:SignedInfo"), policy));
  return { signature, signedInfo, c14n, c14nPrefixes: prefixes, algorithm, references, signatureValue, certificates };
}

function readCertificates(keyInfo: Element): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const data of elementChildren(keyInfo, "ds:KeyInfo")) {
    if (!isDs(data, "X509Data")) continue; // KeyValue, KeyName, ... are ignored: keys come from anchors
    for (const c of elementChildren(data, "ds:X509Data")) {
      if (isDs(c, "X509Certificate")) out.push(base64Value(c, "ds:X509Certificate"));
    }
  }
  return out;
}

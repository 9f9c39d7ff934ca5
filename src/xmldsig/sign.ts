/**
 * Enveloped XML signatures over a token element (XML-DSig 1.1 §3.1 core generation), as SAML
 * 2.0 (saml-core §5.4) and SAML 1.1 (§5.4) profile them: one Reference to the element's ID,
 * transforms enveloped-signature + exclusive c14n, SignedInfo canonicalized with exc-c14n.
 */
import type { Document, Element } from "@xmldom/xmldom";
import type { SigningKey } from "../keys/keyring.ts";
import { utf8 } from "../bytes.ts";
import { toBase64 } from "../keys/pem.ts";
import { EXC_C14N } from "../xml/c14n.ts";
import { escapeC14nAttr } from "../xml/escape.ts";
import { type TreeElement, addTreeChild, treeElement, writeExclusive, writeExclusiveAround } from "../xml/tree-writer.ts";
import {
  DIGEST_ALGORITHMS, DSIG_NS, ECDSA_SHA256, ENVELOPED_SIGNATURE, RSA_SHA256, SHA256, SIGNATURE_ALGORITHMS, digest,
  type HashName, type SignatureAlgorithm,
} from "./algorithms.ts";
import { referenceOctets } from "./references.ts";
import { XMLNS_NS } from "../xml/dom.ts";


export interface SignOptions {
  key: SigningKey;
  /** Signature URI; default rsa-sha256 or ecdsa-sha256 by key type. SHA-1 is refused. */
  signatureAlgorithm?: string;
  /** Digest URI; default sha256. SHA-1 is refused. */
  digestAlgorithm?: string;
  /** The element's ID attribute value; the Reference URI is "#" + it. */
  referenceId: string;
  /**
   * ds:Signature goes right after this child (SAML 2.0: after saml:Issuer, saml-schema-assertion-2.0);
   * null/undefined → appended as last child (SAML 1.1).
   */
  insertAfter?: Element | null;
  /** Exclusive c14n InclusiveNamespaces PrefixList for the Reference transform. */
  inclusivePrefixes?: string[];
  /** Default true: ds:KeyInfo/ds:X509Data/ds:X509Certificate with the key's certificate. */
  includeKeyInfo?: boolean;
}

/** Signing refused for a programming or configuration reason. */
export class XmlDsigSignError extends Error {
  readonly code = "ERR_XMLDSIG_SIGN";
  constructor(message: string) {
    super(message);
    this.name = "XmlDsigSignError";
  }
}

interface Resolved {
  sigUri: string;
  digestUri: string;
  alg: SignatureAlgorithm;
  hash: HashName;
}

/** Checks the algorithms against the key; SHA-1 is refused for signing. */
function resolve(opts: Pick<SignOptions, "key" | "signatureAlgorithm" | "digestAlgorithm">): Resolved {
  const { key } = opts;
  const sigUri = opts.signatureAlgorithm ?? (key.kty === "EC" ? ECDSA_SHA256 : RSA_SHA256);
  const digestUri = opts.digestAlgorithm ?? SHA256;
  const alg = SIGNATURE_ALGORITHMS.get(sigUri);
  const hash = DIGEST_ALGORITHMS.get(digestUri);
  if (!alg || alg.hash === "SHA-1") throw new XmlDsigSignError(`unsupported signature algorithm ${sigUri}`);
  if (!hash || hash === "SHA-1") throw new XmlDsigSignError(`unsupported digest algorithm ${digestUri}`);
  if (alg.kty !== key.kty) throw new XmlDsigSignError(`${sigUri} needs an ${alg.kty} key, key ${key.kid} is ${key.kty}`);
  return { sigUri, digestUri, alg, hash };
}

interface Skeleton {
  signature: TreeElement;
  signedInfo: TreeElement;
  digestValue: TreeElement;
  signatureValue: TreeElement;
}

/** The ds:Signature we write (one Reference, enveloped + exc-c14n), values still empty. */
function skeleton(opts: Pick<SignOptions, "key" | "referenceId" | "inclusivePrefixes" | "includeKeyInfo">, r: Resolved): Skeleton {
  const ds = (name: string, parent: TreeElement | null, attrs?: Record<string, string>, text?: string): TreeElement =>
    parent ? addTreeChild(parent, DSIG_NS, `ds:${name}`, attrs, text) : treeElement(DSIG_NS, `ds:${name}`, attrs, text);
  const signature = ds("Signature", null);
  const signedInfo = ds("SignedInfo", signature);
  ds("CanonicalizationMethod", signedInfo, { Algorithm: EXC_C14N });
  ds("SignatureMethod", signedInfo, { Algorithm: r.sigUri });
  const reference = ds("Reference", signedInfo, { URI: `#${opts.referenceId}` });
  const transforms = ds("Transforms", reference);
  ds("Transform", transforms, { Algorithm: ENVELOPED_SIGNATURE });
  const c14nTransform = ds("Transform", transforms, { Algorithm: EXC_C14N });
  if (opts.inclusivePrefixes && opts.inclusivePrefixes.length > 0) {
    addTreeChild(c14nTransform, EXC_C14N, "ec:InclusiveNamespaces", { PrefixList: opts.inclusivePrefixes.join(" ") });
  }
  ds("DigestMethod", reference, { Algorithm: r.digestUri });
  const digestValue = ds("DigestValue", reference);
  const signatureValue = ds("SignatureValue", signature);
  if (opts.includeKeyInfo !== false) {
    ds("X509Certificate", ds("X509Data", ds("KeyInfo", signature)), undefined, opts.key.certificateBase64);
  }
  return { signature, signedInfo, digestValue, signatureValue };
}

/**
 * Fills DigestValue from the Reference octets, then signs SignedInfo. SignedInfo's exclusive
 * canonical form is the tree writer's output (apex: it declares ds itself), which is what a
 * verifier computes from the serialized signature.
 */
async function complete(sk: Skeleton, r: Resolved, key: SigningKey, octets: Uint8Array<ArrayBuffer>): Promise<void> {
  const privateKey = key.privateKeyFor(r.alg.keyAlg); // cached import
  sk.digestValue.children.push(toBase64(await digest(r.hash, octets)));
  const signedOctets = utf8(writeExclusive(sk.signedInfo));
  // WebCrypto ECDSA output is already the raw r||s XML-DSig 1.1 §6.4.3 asks for.
  const value = await crypto.subtle.sign(r.alg.params, await privateKey, signedOctets);
  sk.signatureValue.children.push(toBase64(new Uint8Array(value)));
}

/**
 * Signs `element` (an xmldom tree, e.g. one parsed by src/xml/parse.ts) in place with an
 * enveloped signature and returns the inserted ds:Signature. The digest comes straight from
 * the DOM (no serialize-and-reparse); the signature itself is written by the tree writer.
 * @throws XmlDsigSignError for unsupported algorithms, a key/algorithm mismatch or a missing ID.
 */
export async function signEnveloped(element: Element, opts: SignOptions): Promise<Element> {
  const r = resolve(opts);
  if (!hasIdValue(element, opts.referenceId)) {
    throw new XmlDsigSignError(`element has no attribute with ID value ${opts.referenceId}`);
  }
  const after = opts.insertAfter ?? null;
  if (after && after.parentNode !== element) throw new XmlDsigSignError("insertAfter must be a child of the element");
  const sk = skeleton(opts, r);
  // The enveloped transform removes the signature, so the octets are the element as it is now.
  const octets = referenceOctets(
    element,
    { enveloped: true, c14n: EXC_C14N, ...(opts.inclusivePrefixes ? { inclusivePrefixes: opts.inclusivePrefixes } : {}) },
    null,
  );
  await complete(sk, r, opts.key, octets);
  const signature = toDom(sk.signature, element.ownerDocument as Document, null);
  element.insertBefore(signature, after ? after.nextSibling : null);
  return signature;
}

/** Options for {@link signTree}: as {@link SignOptions}, on a tree-writer element. */
export interface TreeSignOptions extends Omit<SignOptions, "insertAfter" | "inclusivePrefixes"> {
  /** ds:Signature goes right after this child; null/undefined → last child. */
  insertAfter?: TreeElement | null;
}

/**
 * Signs a tree-writer element (src/xml/tree-writer.ts) with an enveloped signature and returns
 * the signed element's serialization, which is its exclusive canonical form: the Reference
 * octets are the same writer's output before the signature goes in (the enveloped transform
 * removes it again), so there is no DOM, no canonicalization walk and no serializer on the
 * issuing path. The tree itself is left as it was.
 * @throws XmlDsigSignError as {@link signEnveloped}.
 */
export async function signTree(root: TreeElement, opts: TreeSignOptions): Promise<string> {
  const r = resolve(opts);
  if (!root.attrs.some(([, v]) => v === opts.referenceId)) {
    throw new XmlDsigSignError(`element has no attribute with ID value ${opts.referenceId}`);
  }
  const after = opts.insertAfter ?? null;
  const at = after ? root.children.indexOf(after) : root.children.length - 1;
  if (after && at < 0) throw new XmlDsigSignError("insertAfter must be a child of the element");
  // As in signEnveloped: the octets are the element as it is now, the signature goes in after;
  // the tree is written once, and the signature spliced in where the writer would put it.
  const parts = writeExclusiveAround(root, at + 1);
  const privateKey = opts.key.privateKeyFor(r.alg.keyAlg); // cached import
  const t = template(opts, r, root.prefix === "ds" && root.ns === DSIG_NS);
  const ref = escapeC14nAttr(opts.referenceId);
  const digestValue = toBase64(await digest(r.hash, utf8(parts.before + parts.after)));
  // SignedInfo's exclusive canonical form is what gets signed (apex: it declares ds itself).
  const signedInfo = t.apex[0] + ref + t.apex[1] + digestValue + t.apex[2];
  // WebCrypto ECDSA output is already the raw r||s XML-DSig 1.1 §6.4.3 asks for.
  const value = toBase64(new Uint8Array(await crypto.subtle.sign(r.alg.params, await privateKey, utf8(signedInfo))));
  const signature = t.inside[0] + ref + t.inside[1] + digestValue + t.inside[2] + value + t.inside[3];
  return parts.before + signature + parts.after;
}

/**
 * The writer's output for a signature, cut where its three values go: SignedInfo as the apex
 * (what is signed) = apex[0] ref apex[1] digest apex[2]; the whole ds:Signature as the child of
 * the signed element = inside[0] ref inside[1] digest inside[2] signature value inside[3]. Only
 * the reference ID and the two values change from one token to the next, so the skeleton is
 * written once per key and algorithms instead of per token. A ds:Signature inside an element
 * that already binds ds to XML-DSig would not redeclare it: that case gets its own template.
 */
interface SignatureTemplate {
  apex: [string, string, string];
  inside: [string, string, string, string];
}

// Markers no escape touches and no algorithm URI or base64 certificate holds. Latin-1 on
// purpose: V8 keeps a string of Latin-1 characters one byte per character, and a slice keeps
// its parent's width, so a marker above U+00FF would make every piece cut from the template —
// and so every signed token and SignedInfo joined from them — a two-byte string: twice the
// memory, and the slower path wherever the text is encoded to UTF-8, hashed or sent.
const REF = "\u00A7ref\u00A7";
const DIG = "\u00A7digest\u00A7";
const VAL = "\u00A7value\u00A7";
const templates = new WeakMap<SigningKey, Map<string, SignatureTemplate>>();

function template(opts: TreeSignOptions, r: Resolved, dsInScope: boolean): SignatureTemplate {
  const cacheKey = `${r.sigUri} ${r.digestUri} ${opts.includeKeyInfo !== false} ${dsInScope}`;
  let forKey = templates.get(opts.key);
  if (!forKey) templates.set(opts.key, (forKey = new Map()));
  let t = forKey.get(cacheKey);
  if (!t) {
    const sk = skeleton({ ...opts, referenceId: REF }, r);
    sk.digestValue.children.push(DIG);
    sk.signatureValue.children.push(VAL);
    const cut = (s: string, marks: string[]): string[] => {
      const out: string[] = [];
      for (const m of marks) {
        const i = s.indexOf(m);
        if (i < 0 || s.indexOf(m, i + 1) >= 0) throw new XmlDsigSignError("signature template: marker not found exactly once");
        out.push(s.slice(0, i));
        s = s.slice(i + m.length);
      }
      out.push(s);
      return out;
    };
    // Written as the signed element's child: inside an element whose own prefix is ds bound
    // to XML-DSig, the writer would not declare ds again.
    const host = treeElement(dsInScope ? DSIG_NS : "urn:x-template", dsInScope ? "ds:Host" : "h:Host");
    host.children.push(sk.signature);
    const hostXml = writeExclusiveAround(host, 0);
    const inside = hostXml.child(sk.signature);
    t = {
      apex: cut(writeExclusive(sk.signedInfo), [REF, DIG]) as SignatureTemplate["apex"],
      inside: cut(inside, [REF, DIG, VAL]) as SignatureTemplate["inside"],
    };
    forKey.set(cacheKey, t);
  }
  return t;
}

/** Builds the DOM form of a tree-writer element, declaring namespaces where the writer would. */
function toDom(t: TreeElement, doc: Document, parentNs: Map<string, string> | null): Element {
  const el = doc.createElementNS(t.ns, t.qname);
  let scope = parentNs;
  if (scope?.get(t.prefix) !== t.ns) {
    el.setAttributeNS(XMLNS_NS, t.prefix === "" ? "xmlns" : `xmlns:${t.prefix}`, t.ns);
    scope = new Map(scope ?? []);
    scope.set(t.prefix, t.ns);
  }
  for (const [k, v] of t.attrs) el.setAttribute(k, v);
  for (const c of t.children) el.appendChild(typeof c === "string" ? doc.createTextNode(c) : toDom(c, doc, scope));
  return el;
}

function hasIdValue(element: Element, id: string): boolean {
  const attrs = element.attributes;
  for (let i = 0; i < attrs.length; i++) if (attrs.item(i)!.value === id) return true;
  return false;
}

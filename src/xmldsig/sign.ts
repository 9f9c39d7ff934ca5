/**
 * Enveloped XML signatures over a token element (XML-DSig 1.1 §3.1 core generation), as SAML
 * 2.0 (saml-core §5.4) and SAML 1.1 (§5.4) profile them: one Reference to the element's ID,
 * transforms enveloped-signature + exclusive c14n, SignedInfo canonicalized with exc-c14n.
 */
import type { Document, Element } from "@xmldom/xmldom";
import type { SigningKey } from "../keys/keyring.ts";
import { toBase64 } from "../keys/pem.ts";
import { canonicalizeToBytes, EXC_C14N } from "../xml/c14n.ts";
import { DIGEST_ALGORITHMS, DSIG_NS, ECDSA_SHA256, ENVELOPED_SIGNATURE, RSA_SHA256, SHA256, SIGNATURE_ALGORITHMS, digest } from "./algorithms.ts";
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

/**
 * Signs `element` in place with an enveloped signature and returns the inserted ds:Signature.
 * The digest and SignedInfo octets come straight from the DOM built here, so the cost is two
 * small canonicalizations, one SHA-2 and the private-key operation.
 * @throws XmlDsigSignError for unsupported algorithms, a key/algorithm mismatch or a missing ID.
 */
export async function signEnveloped(element: Element, opts: SignOptions): Promise<Element> {
  const { key } = opts;
  const sigUri = opts.signatureAlgorithm ?? (key.kty === "EC" ? ECDSA_SHA256 : RSA_SHA256);
  const digestUri = opts.digestAlgorithm ?? SHA256;
  const alg = SIGNATURE_ALGORITHMS.get(sigUri);
  const hash = DIGEST_ALGORITHMS.get(digestUri);
  if (!alg || alg.hash === "SHA-1") throw new XmlDsigSignError(`unsupported signature algorithm ${sigUri}`);
  if (!hash || hash === "SHA-1") throw new XmlDsigSignError(`unsupported digest algorithm ${digestUri}`);
  if (alg.kty !== key.kty) throw new XmlDsigSignError(`${sigUri} needs an ${alg.kty} key, key ${key.kid} is ${key.kty}`);
  if (!hasIdValue(element, opts.referenceId)) {
    throw new XmlDsigSignError(`element has no attribute with ID value ${opts.referenceId}`);
  }
  const privateKey = key.privateKeyFor(alg.keyAlg); // start the (cached) import early

  const doc = element.ownerDocument as Document;
  const ds = (name: string, parent: Element | null, attrs?: Record<string, string>, text?: string): Element => {
    const el = doc.createElementNS(DSIG_NS, `ds:${name}`);
    if (attrs) for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) el.appendChild(doc.createTextNode(text));
    if (parent) parent.appendChild(el);
    return el;
  };
  const signature = ds("Signature", null);
  signature.setAttributeNS(XMLNS_NS, "xmlns:ds", DSIG_NS);
  const signedInfo = ds("SignedInfo", signature);
  ds("CanonicalizationMethod", signedInfo, { Algorithm: EXC_C14N });
  ds("SignatureMethod", signedInfo, { Algorithm: sigUri });
  const reference = ds("Reference", signedInfo, { URI: `#${opts.referenceId}` });
  const transforms = ds("Transforms", reference);
  ds("Transform", transforms, { Algorithm: ENVELOPED_SIGNATURE });
  const c14nTransform = ds("Transform", transforms, { Algorithm: EXC_C14N });
  if (opts.inclusivePrefixes && opts.inclusivePrefixes.length > 0) {
    const ec = doc.createElementNS(EXC_C14N, "ec:InclusiveNamespaces");
    ec.setAttributeNS(XMLNS_NS, "xmlns:ec", EXC_C14N);
    ec.setAttribute("PrefixList", opts.inclusivePrefixes.join(" "));
    c14nTransform.appendChild(ec);
  }
  ds("DigestMethod", reference, { Algorithm: digestUri });
  const digestValue = ds("DigestValue", reference);
  const signatureValue = ds("SignatureValue", signature);
  if (opts.includeKeyInfo !== false) {
    ds("X509Certificate", ds("X509Data", ds("KeyInfo", signature)), undefined, key.certificateBase64);
  }

  // Insert first so SignedInfo is canonicalized in its final context (exc-c14n makes the
  // context irrelevant except for the ds prefix, which Signature itself declares).
  const after = opts.insertAfter ?? null;
  if (after && after.parentNode !== element) throw new XmlDsigSignError("insertAfter must be a child of the element");
  element.insertBefore(signature, after ? after.nextSibling : null);

  try {
    const octets = referenceOctets(
      element,
      { enveloped: true, c14n: EXC_C14N, ...(opts.inclusivePrefixes ? { inclusivePrefixes: opts.inclusivePrefixes } : {}) },
      signature,
    );
    digestValue.appendChild(doc.createTextNode(toBase64(await digest(hash, octets))));
    const signedOctets = canonicalizeToBytes(signedInfo, { algorithm: EXC_C14N });
    // WebCrypto ECDSA output is already the raw r||s XML-DSig 1.1 §6.4.3 asks for.
    const value = await crypto.subtle.sign(alg.params, await privateKey, signedOctets);
    signatureValue.appendChild(doc.createTextNode(toBase64(new Uint8Array(value))));
  } catch (e) {
    element.removeChild(signature); // leave the element as it was
    throw e;
  }
  return signature;
}

function hasIdValue(element: Element, id: string): boolean {
  const attrs = element.attributes;
  for (let i = 0; i < attrs.length; i++) if (attrs.item(i)!.value === id) return true;
  return false;
}

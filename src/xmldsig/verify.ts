/**
 * Verification of an enveloped signature on a token element — the inbound-token security
 * boundary, so strict by design (see the rules on {@link verifyEnveloped}). Never throws.
 */
import type { Attr, Element, Node } from "@xmldom/xmldom";
import { DSIG_NS } from "./algorithms.ts";
import { checkReference, checkSignatureValue, policyOf, refusalReason } from "./check.ts";
import type { AnchorKey, TrustAnchor } from "./check.ts";
import { parseSignature, Refusal } from "./parse-signature.ts";

export type { AnchorKey, TrustAnchor } from "./check.ts";

import { WSU_NS } from "../xml/dom.ts";
import { DSIG11_NS } from "./key-info.ts";

export { WSU_NS };

/**
 * ID attributes, as local names (no namespace) or "{namespace}local". Defaults: SAML 2.0 `ID`,
 * SAML 1.1 `AssertionID`, XML-DSig/WS-* `Id` and `wsu:Id`.
 */
export const DEFAULT_ID_ATTRIBUTES: readonly string[] = ["ID", "AssertionID", "Id", `{${WSU_NS}}Id`];

export interface VerifyOptions {
  idAttributes?: readonly string[];
}

export type VerifyResult<K extends AnchorKey = AnchorKey> =
  | { ok: true; key: K; signedElement: Element; signatureAlgorithm: string; digestAlgorithm: string }
  | { ok: false; reason: string; duplicateId?: DuplicateId };

/**
 * An ID value that more than one element of the token's document carries (see
 * {@link duplicateIdRefusal}); `ofToken` when it is the token's own ID — the same token twice in one
 * message, or a copy of it placed for signature wrapping. No fault of the signature itself, so
 * the verifier's caller may say what it is.
 */
export interface DuplicateId {
  id: string;
  ofToken: boolean;
}

// xs:ID is an NCName; this is its ASCII-and-letters subset, enough for every issuer we know
// and it keeps quotes, "#", "(" etc. (XPointer tricks) out of reference matching.
const NCNAME = /^[\p{L}_][\p{L}\p{N}_.\-\u00B7]*$/u;

/**
 * Verifies the enveloped signature of `element` against pinned keys only.
 *
 * Refused unless: exactly one ds:Signature is a direct child of `element`; it holds exactly one
 * SignedInfo with exactly one Reference whose URI is "#" + `element`'s own ID; no ID value
 * (any configured ID attribute) occurs twice anywhere in the document (wrapping attacks);
 * transforms are enveloped-signature then exc-c14n or c14n 1.0 (no comments); DigestValue and
 * SignatureValue are text only; algorithms are in the anchor's allow-list (default SHA-2 only;
 * HMAC never); the digest matches (constant time); the SignatureValue verifies with an anchor key
 * (a KeyInfo certificate only selects among the anchor's by exact DER; unknown → refused);
 * ECDSA values are exactly 2 × field size; the signature carries no ds:Object and its KeyInfo no
 * foreign elements (unsigned payload). On success, read claims only from `signedElement`.
 */
export async function verifyEnveloped<K extends AnchorKey>(
  element: Element,
  anchor: TrustAnchor<K>,
  options: VerifyOptions = {},
): Promise<VerifyResult<K>> {
  try {
    const idNames = options.idAttributes ?? DEFAULT_ID_ATTRIBUTES;
    const signatures: Element[] = [];
    for (let c = element.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 1 && (c as Element).namespaceURI === DSIG_NS && (c as Element).localName === "Signature") {
        signatures.push(c as Element);
      }
    }
    if (signatures.length !== 1) throw new Refusal(signatures.length === 0 ? "the token is not signed" : "more than one signature");
    const parsed = parseSignature(signatures[0]!, policyOf(anchor));
    assertNoUnsignedPayload(signatures[0]!);
    if (parsed.references.length !== 1) throw new Refusal("expected exactly one ds:Reference");
    const ref = parsed.references[0]!;
    const id = ownId(element, idNames);
    if (ref.uri !== `#${id}`) throw new Refusal("the reference does not point to the signed token");
    const duplicate = duplicateIdRefusal(element, idNames);
    if (duplicate) return duplicate;
    if (!ref.transforms.enveloped) throw new Refusal("enveloped-signature transform missing");
    await checkReference(ref, element, parsed.signature);
    const key = await checkSignatureValue(parsed, anchor);
    return { ok: true, key, signedElement: element, signatureAlgorithm: parsed.algorithm.uri, digestAlgorithm: ref.digestUri };
  } catch (e) {
    return { ok: false, reason: refusalReason(e) };
  }
}

/**
 * The enveloped-signature transform (XML-DSig 1.1 §6.6.4) removes the whole ds:Signature from
 * the digest, so anything inside it besides SignedInfo is unsigned. A token signature needs
 * none of it: ds:Object is refused, and KeyInfo may hold only XML-DSig markup (no foreign
 * elements such as a smuggled assertion that a careless reader could pick up).
 */
function assertNoUnsignedPayload(signature: Element): void {
  for (let c = signature.firstChild; c; c = c.nextSibling) {
    if (c.nodeType !== 1) continue;
    const el = c as Element;
    if (el.localName === "Object") throw new Refusal("ds:Object is not allowed in a token signature");
    if (el.localName !== "KeyInfo") continue;
    const all = el.getElementsByTagName("*");
    for (let i = 0; i < all.length; i++) {
      const ns = all.item(i)!.namespaceURI;
      if (ns !== DSIG_NS && ns !== DSIG11_NS) throw new Refusal("unexpected content in ds:KeyInfo");
    }
  }
}

function idAttr(el: Element, name: string): string | null {
  if (name.startsWith("{")) {
    const close = name.indexOf("}");
    const ns = name.slice(1, close);
    const local = name.slice(close + 1);
    return el.hasAttributeNS(ns, local) ? el.getAttributeNS(ns, local) : null;
  }
  // Un-namespaced attribute only: a prefixed foo:ID is a different attribute.
  const a = el.getAttributeNode(name);
  return a && !a.namespaceURI ? a.value : null;
}

/** The element's one ID value; refused when it has none or several. */
function ownId(el: Element, names: readonly string[]): string {
  const found = names.map((n) => idAttr(el, n)).filter((v): v is string => v !== null);
  if (found.length !== 1) throw new Refusal(found.length === 0 ? "the token has no ID" : "the token has more than one ID attribute");
  if (!NCNAME.test(found[0]!)) throw new Refusal("the token ID is not an NCName");
  return found[0]!;
}

/**
 * The whole-document duplicate-ID check of {@link verifyEnveloped} (signature wrapping), alone:
 * refused when any two elements of `element`'s document carry one ID value, as any configured ID
 * attribute; the refusal names the value (at most 64 characters of it), the token's own ID when
 * it is among them. Also for a caller that recognises `element` as verified before (same text,
 * same namespaces) but sitting in a new document. Undefined when every ID is unique.
 */
export function duplicateIdRefusal(element: Element, names: readonly string[] = DEFAULT_ID_ATTRIBUTES): { ok: false; reason: string; duplicateId: DuplicateId } | undefined {
  const d = duplicateIdIn(element, names);
  if (!d) return undefined;
  return { ok: false, reason: `${d.ofToken ? "the token's ID" : "the ID"} '${d.id.slice(0, 64)}' is on more than one element of the document`, duplicateId: d };
}

function duplicateIdIn(element: Element, names: readonly string[]): DuplicateId | undefined {
  let root: Node = element;
  while (root.parentNode) root = root.parentNode;
  const own = new Set(names.map((n) => idAttr(element, n)).filter((v): v is string => v !== null));
  const match = idMatcher(names);
  const seen = new Set<string>();
  let first: string | undefined;
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.nodeType === 1) {
      // One pass over the element's own attributes (usually a handful) instead of one lookup
      // per configured ID name; the same attributes count as IDs as in idAttr().
      const attrs = (n as Element).attributes;
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs.item(i)!;
        if (!match(a)) continue;
        if (!seen.has(a.value)) seen.add(a.value);
        // The whole document is read on, so that the token's own ID is named when it is one.
        else if (own.has(a.value)) return { id: a.value, ofToken: true };
        else first ??= a.value;
      }
    }
    for (let c = n.firstChild; c; c = c.nextSibling) if (c.nodeType === 1 || c.nodeType === 9) stack.push(c);
  }
  return first === undefined ? undefined : { id: first, ofToken: false };
}

/** Whether an attribute is one of `names` as idAttr() reads them: "{ns}local" or un-namespaced. */
function idMatcher(names: readonly string[]): (a: Attr) => boolean {
  const plain = new Set<string>();
  const qualified = new Set<string>();
  for (const n of names) {
    if (n.startsWith("{")) qualified.add(n);
    else plain.add(n);
  }
  return (a) => (a.namespaceURI ? qualified.has(`{${a.namespaceURI}}${a.localName}`) : plain.has(a.name));
}

/**
 * Verification of an *enveloping* signature (XML-DSig 1.1 §2: the signed data is a ds:Object
 * inside the signature). Tokens never use this form; it exists to check our core against the
 * W3C XML Signature 1.1 interop vectors, and applies the same strict parsing and key pinning.
 */
import type { Element } from "@xmldom/xmldom";
import { DSIG_NS } from "./algorithms.ts";
import { checkReference, checkSignatureValue, policyOf, refusalReason } from "./check.ts";
import type { AnchorKey, TrustAnchor } from "./check.ts";
import { parseSignature, Refusal } from "./parse-signature.ts";
import type { VerifyResult } from "./verify.ts";

/**
 * Verifies `signature` whose single Reference is "#id" of one of its own ds:Object children
 * (by `Id`, unique among the signature's descendants). `signedElement` is that ds:Object.
 */
export async function verifyEnvelopingObject<K extends AnchorKey>(signature: Element, anchor: TrustAnchor<K>): Promise<VerifyResult<K>> {
  try {
    const parsed = parseSignature(signature, policyOf(anchor));
    if (parsed.references.length !== 1) throw new Refusal("expected exactly one ds:Reference");
    const ref = parsed.references[0]!;
    if (!ref.uri.startsWith("#") || ref.transforms.enveloped) throw new Refusal("unsupported reference");
    const id = ref.uri.slice(1);
    const all = signature.getElementsByTagNameNS("*", "*");
    const withId: Element[] = [];
    for (let i = 0; i < all.length; i++) if (all.item(i)!.getAttribute("Id") === id) withId.push(all.item(i)!);
    const target = withId[0];
    if (withId.length !== 1 || !target || target.parentNode !== signature || target.namespaceURI !== DSIG_NS || target.localName !== "Object") {
      throw new Refusal("the reference does not point to exactly one ds:Object");
    }
    await checkReference(ref, target, signature);
    const key = await checkSignatureValue(parsed, anchor);
    return { ok: true, key, signedElement: target, signatureAlgorithm: parsed.algorithm.uri, digestAlgorithm: ref.digestUri };
  } catch (e) {
    return { ok: false, reason: refusalReason(e) };
  }
}

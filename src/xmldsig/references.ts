/**
 * The Reference processing model (XML-DSig 1.1 §4.4.3) restricted to what we sign and accept:
 * a same-document reference to one element, optional enveloped-signature transform, then at most
 * one canonicalization. Shared by signing and verifying so both compute the very same octets.
 */
import type { Element, Node } from "@xmldom/xmldom";
import { C14N_10, canonicalizeToBytes } from "../xml/c14n.ts";

export interface ReferenceTransforms {
  /** enveloped-signature (§6.6.4): the ds:Signature containing the Reference is removed. */
  enveloped: boolean;
  /** Canonicalization URI; when no c14n transform is given a node-set becomes octets by C14N 1.0 (§4.4.3.2). */
  c14n: string;
  /** Exclusive c14n InclusiveNamespaces PrefixList. */
  inclusivePrefixes?: readonly string[];
}

/**
 * The octets a Reference digests: `target`'s subtree canonicalized, without `signature` when
 * the enveloped transform applies. Works on the live DOM: no serialize-and-reparse.
 */
export function referenceOctets(target: Element, t: ReferenceTransforms, signature: Element | null): Uint8Array<ArrayBuffer> {
  // A same-document "#id" reference selects the element's subtree without comments (§4.4.3.3),
  // which is what the non-comment c14n variants produce.
  return canonicalizeToBytes(target, {
    algorithm: t.c14n || C14N_10,
    ...(t.inclusivePrefixes ? { inclusivePrefixes: t.inclusivePrefixes } : {}),
    ...(t.enveloped && signature ? { exclude: (n: Node) => n === signature } : {}),
  });
}

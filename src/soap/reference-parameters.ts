/**
 * WS-Addressing reference parameters of the endpoint a reply or fault is sent to: each one is
 * sent back as a SOAP header block (WS-Addressing 1.0 SOAP Binding §2.3, Core §3.3; the 2004/08
 * submission §3.3, its reference properties likewise), which is how WCF and others correlate a
 * reply with their own state. A reply goes to wsa:ReplyTo; a fault to wsa:FaultTo when there is
 * one, else wsa:ReplyTo (Core §3.4).
 */
import type { Element } from "@xmldom/xmldom";
import { C14nError, EXC_C14N, canonicalize } from "../xml/c14n.ts";
import { childElements } from "../xml/dom.ts";
import { type Markup, trustedMarkup } from "../xml/markup.ts";
import { SOAP11_NS, SOAP12_NS, WSA04_NS, WSA10_NS } from "./ns.ts";

/** At most this many reference parameters per endpoint reference. */
export const MAX_REFERENCE_PARAMETERS = 16;
/** At most this many characters of them all, as written back. */
export const MAX_REFERENCE_PARAMETER_CHARS = 8192;

/** The header blocks a reply and a fault carry back. */
export interface ReferenceParameterCopies {
  reply: readonly Markup[];
  fault: readonly Markup[];
}

export const NO_REFERENCE_PARAMETERS: ReferenceParameterCopies = { reply: [], fault: [] };

/**
 * The reference parameters of the endpoint reference `epr` (a wsa:ReplyTo or wsa:FaultTo) as the
 * header blocks to send back, or why they cannot be (the caller refuses the message with
 * wsa:InvalidAddressingHeader). Each is the element itself (a deep copy: the request, which a
 * signature may cover, is left as it came), written in exclusive canonical form — every name
 * with the namespace it had, every text and attribute value escaped, no comments — and, in
 * WS-Addressing 1.0, marked `wsa:IsReferenceParameter="true"` (SOAP Binding §2.3). A block
 * must be namespace-qualified (SOAP 1.2 Part 1 §5.2.1), and none may pass for one of the
 * envelope's or the addressing headers' own.
 */
export function referenceParameterCopies(epr: Element): readonly Markup[] | string {
  const ns = epr.namespaceURI;
  const params: Element[] = [];
  for (const holder of childElements(epr, ns)) {
    if (holder.localName === "ReferenceParameters" || (ns === WSA04_NS && holder.localName === "ReferenceProperties")) params.push(...childElements(holder));
  }
  if (params.length > MAX_REFERENCE_PARAMETERS) return `wsa:${epr.localName} has more than ${MAX_REFERENCE_PARAMETERS} reference parameters.`;
  const out: Markup[] = [];
  let chars = 0;
  for (const p of params) {
    const pns = p.namespaceURI ?? "";
    if (pns === "") return `A reference parameter of wsa:${epr.localName} has no namespace: a SOAP header block is namespace-qualified.`;
    if (pns === SOAP11_NS || pns === SOAP12_NS || pns === WSA10_NS || pns === WSA04_NS) {
      return `A reference parameter of wsa:${epr.localName} is in the SOAP or WS-Addressing namespace, which only the message's own headers use.`;
    }
    const copy = p.cloneNode(true) as Element;
    if (ns === WSA10_NS) {
      copy.removeAttributeNS(WSA10_NS, "IsReferenceParameter");
      copy.setAttributeNS(WSA10_NS, `${freePrefix(copy)}:IsReferenceParameter`, "true");
    }
    let text: string;
    try {
      text = canonicalize(copy, { algorithm: EXC_C14N });
    } catch (e) {
      // A relative namespace URI has no canonical form, so it cannot be written back faithfully.
      if (e instanceof C14nError) return `A reference parameter of wsa:${epr.localName} declares a relative namespace URI.`;
      throw e;
    }
    chars += text.length;
    if (chars > MAX_REFERENCE_PARAMETER_CHARS) return `The reference parameters of wsa:${epr.localName} are longer than ${MAX_REFERENCE_PARAMETER_CHARS} characters.`;
    // Canonical XML of an element: well-formed, each name bound where it is used.
    out.push(trustedMarkup(text));
  }
  return out;
}

/** A prefix for the marker attribute that the element's own name and attributes do not use. */
function freePrefix(el: Element): string {
  const used = new Set<string>([el.prefix ?? ""]);
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    used.add(a.name.startsWith("xmlns:") ? a.name.slice(6) : (a.prefix ?? ""));
  }
  let p = "wsa";
  for (let i = 1; used.has(p); i++) p = `wsa${i}`;
  return p;
}

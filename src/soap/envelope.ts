import type { Document, Element } from "@xmldom/xmldom";
import { childElements, textContent } from "../xml/dom.ts";
import { StsError, badRequest } from "../errors.ts";
import { SOAP11_NS, SOAP12_NS, type SoapVersion, WSA04_NS, WSA10_NS, WSSE_NS } from "./ns.ts";

/** A parsed SOAP envelope with the WS-Addressing headers we use. */
export interface SoapEnvelope {
  version: SoapVersion;
  header: Element | null;
  body: Element;
  /** The single child of Body: the operation payload. */
  payload: Element;
  addressing: { action?: string; messageId?: string; to?: string; ns: string };
}

const UNDERSTOOD = new Set([
  `${WSA10_NS} Action`,
  `${WSA10_NS} To`,
  `${WSA04_NS} Action`,
  `${WSA04_NS} To`,
  `${WSSE_NS} Security`,
]);

/**
 * Whether a header block is addressed to us: SOAP 1.2 Part 1 §2.2 (role absent, "next" or
 * "ultimateReceiver"; "none" never) and SOAP 1.1 §4.2.2 (actor absent or ".../actor/next").
 * mustUnderstand applies only to blocks addressed to us.
 */
function targetsUs(h: Element, version: SoapVersion): boolean {
  if (version === "1.2") {
    const role = h.getAttributeNS(SOAP12_NS, "role");
    return !role || role === `${SOAP12_NS}/role/next` || role === `${SOAP12_NS}/role/ultimateReceiver`;
  }
  const actor = h.getAttributeNS(SOAP11_NS, "actor");
  return !actor || actor === "http://schemas.xmlsoap.org/soap/actor/next";
}

/** All text of an element, trimmed (every descendant text node: a comment never truncates it). */
export function text(el: Element): string {
  return textContent(el).trim();
}

/**
 * Reads a SOAP 1.1 or 1.2 envelope: version from the envelope namespace (checked against the
 * HTTP content type), Header and Body, WS-Addressing headers, and mustUnderstand (SOAP 1.1 §4.2.3,
 * SOAP 1.2 Part 1 §5.2.3): a header we do not understand that is marked `1`/`true` → fault.
 */
export function readEnvelope(doc: Document, contentType: string | null): SoapEnvelope {
  const env = doc.documentElement;
  if (!env || env.localName !== "Envelope") throw badRequest("The request body is not a SOAP envelope.");
  let version: SoapVersion;
  if (env.namespaceURI === SOAP12_NS) version = "1.2";
  else if (env.namespaceURI === SOAP11_NS) version = "1.1";
  else throw new StsError("version_mismatch", "The SOAP envelope namespace is not SOAP 1.1 or SOAP 1.2.");
  const ct = (contentType ?? "").toLowerCase();
  if (version === "1.2" && ct && !ct.startsWith("application/soap+xml")) {
    throw badRequest("A SOAP 1.2 envelope must be sent as application/soap+xml.");
  }
  if (version === "1.1" && ct && !ct.startsWith("text/xml")) {
    throw badRequest("A SOAP 1.1 envelope must be sent as text/xml.");
  }
  const ns = env.namespaceURI;
  let header: Element | null = null;
  let body: Element | null = null;
  for (const c of childElements(env)) {
    if (c.namespaceURI !== ns) throw badRequest(`Unexpected element '${c.localName}' in the SOAP envelope.`);
    if (c.localName === "Header" && !header && !body) header = c;
    else if (c.localName === "Body" && !body) body = c;
    else throw badRequest(`Unexpected element '${c.localName}' in the SOAP envelope.`);
  }
  if (!body) throw badRequest("The SOAP envelope has no Body.");
  const payloads = childElements(body);
  if (payloads.length !== 1) throw badRequest("The SOAP Body must contain exactly one element.");

  const addressing: SoapEnvelope["addressing"] = { ns: WSA10_NS };
  if (header) {
    for (const h of childElements(header)) {
      const mu = h.getAttributeNS(ns, "mustUnderstand");
      if ((mu === "1" || mu === "true") && targetsUs(h, version) && !UNDERSTOOD.has(`${h.namespaceURI} ${h.localName}`)) {
        throw new StsError(
          "must_understand",
          `The header '{${h.namespaceURI ?? ""}}${h.localName}' is marked mustUnderstand but is not understood.`,
          `${h.namespaceURI ?? ""} ${h.localName}`,
        );
      }
      if (h.namespaceURI === WSA10_NS || h.namespaceURI === WSA04_NS) {
        addressing.ns = h.namespaceURI;
        if (h.localName === "Action") addressing.action = text(h);
        else if (h.localName === "MessageID") addressing.messageId = text(h);
        else if (h.localName === "To") addressing.to = text(h);
      }
    }
  }
  return { version, header, body, payload: payloads[0]!, addressing };
}

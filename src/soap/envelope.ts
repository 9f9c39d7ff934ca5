import type { Document, Element } from "@xmldom/xmldom";
import { childElements, textContent } from "../xml/dom.ts";
import { mediaTypeEssence, mediaTypeParams, nonUtf8Charset } from "../web/body.ts";
import { StsError, badRequest, invalidAddressingHeader } from "../errors.ts";
import { collapse, parseXsBoolean, trimXmlSpace } from "../xml/xs.ts";
import type { LimitsConfig } from "../config/types.ts";
import { type ParseXmlOptions, XmlSecurityError, parseXml } from "../xml/parse.ts";
import { SOAP11_NS, SOAP12_NS, type SoapVersion, WSA04_NS, WSA10_NS, WSSE_NS } from "./ns.ts";
import { NO_REFERENCE_PARAMETERS, type ReferenceParameterCopies, referenceParameterCopies } from "./reference-parameters.ts";

/** A parsed SOAP envelope with the WS-Addressing headers we use. */
export interface SoapEnvelope {
  version: SoapVersion;
  header: Element | null;
  body: Element;
  /** The single child of Body: the operation payload. */
  payload: Element;
  /**
   * The WS-Addressing header blocks targeted at us, unchecked (see {@link readAddressing}), with
   * the version of the first (`ns`: WS-Addressing 1.0 when there is none).
   */
  addressing: { ns: string; blocks: Element[] };
}

/** The WS-Addressing facts of a request, checked. */
export interface Addressing {
  /**
   * The action the message names, if it names one: the SOAPAction HTTP header, the `action`
   * parameter of the Content-Type and wsa:Action, which agree where more than one is present.
   */
  action: string | undefined;
  /** wsa:To, if sent. */
  to: string | undefined;
}

/**
 * The message addressing properties WS-Addressing carries as header blocks (1.0 SOAP Binding §2.1;
 * the 2004/08 submission §3). This endpoint processes every one of them (readAddressing: To and
 * Action read and checked, ReplyTo and FaultTo held to the anonymous address, MessageID echoed as
 * RelatesTo, each one's cardinality checked), so a sender that marks any of them mustUnderstand —
 * as WS-Addressing lets it — is understood, not refused.
 */
const WSA_HEADERS = ["To", "From", "ReplyTo", "FaultTo", "Action", "MessageID", "RelatesTo"];

/** The header blocks this endpoint understands (SOAP 1.2 Part 1 §5.2.3, SOAP 1.1 §4.2.3). */
const UNDERSTOOD = new Set([...[WSA10_NS, WSA04_NS].flatMap((ns) => WSA_HEADERS.map((local) => `${ns} ${local}`)), `${WSSE_NS} Security`]);

/**
 * WS-Addressing 1.0 Core §3.2 (and the 2004/08 submission §3): a message carries at most one of
 * these. wsa:RelatesTo may repeat (one per relationship type).
 */
const WSA_SINGLE = new Set(["To", "From", "ReplyTo", "FaultTo", "Action", "MessageID"]);

const SOAP11_NEXT = "http://schemas.xmlsoap.org/soap/actor/next";
/** SOAP 1.2 Part 1 §2.2: as the ultimate receiver we play "next" and "ultimateReceiver"; "none" is nobody. */
const SOAP12_OUR_ROLES = new Set([`${SOAP12_NS}/role/next`, `${SOAP12_NS}/role/ultimateReceiver`]);

/**
 * Whether a header block is targeted at us, the ultimate receiver: SOAP 1.2 Part 1 §5.2.2 (role
 * absent, "next" or "ultimateReceiver"; "none" never) and SOAP 1.1 §4.2.2 (actor absent or
 * ".../actor/next"). A block targeted at another node is not processed here at all: neither its
 * content (a wsse:Security for a gateway authenticates nothing) nor its mustUnderstand. The
 * attribute is an xs:anyURI, read with whitespace collapsed; present but empty names no role
 * of ours.
 */
export function targetsUs(h: Element, version: SoapVersion): boolean {
  if (version === "1.2") {
    if (!h.hasAttributeNS(SOAP12_NS, "role")) return true;
    return SOAP12_OUR_ROLES.has(collapse(h.getAttributeNS(SOAP12_NS, "role") ?? ""));
  }
  if (!h.hasAttributeNS(SOAP11_NS, "actor")) return true;
  return collapse(h.getAttributeNS(SOAP11_NS, "actor") ?? "") === SOAP11_NEXT;
}

/**
 * The header's mustUnderstand. SOAP 1.2 Part 1 §5.2.3 types it xs:boolean (so " true" and
 * "  1" are true); SOAP 1.1 §4.2.3 says "0" or "1", and we take "true"/"false" too, as deployed
 * SOAP 1.1 stacks do. Anything else is not a value a peer could agree on → Sender fault.
 */
function mustUnderstand(h: Element, ns: string | null): boolean {
  if (!h.hasAttributeNS(ns, "mustUnderstand")) return false;
  const v = parseXsBoolean(h.getAttributeNS(ns, "mustUnderstand") ?? "");
  if (v === undefined) {
    throw badRequest(`The mustUnderstand attribute of header '${(h.localName ?? "").slice(0, 200)}' must be true, false, 1 or 0.`);
  }
  return v;
}

/**
 * The media type a SOAP message is sent as: SOAP 1.1's `text/xml` or SOAP 1.2's
 * `application/soap+xml` (compared whole, not by prefix), in UTF-8 — the only charset the body
 * is read in, so a label that says otherwise is refused rather than read differently than its
 * sender meant. An envelope of one version in the other's media type is a version mismatch to
 * that binding (SOAP 1.1 §4.1.2; SOAP 1.2 Part 1 Appendix A), answered in the envelope's own
 * version (the caller's {@link replyContext}), which its sender can read.
 */
function checkSoapMediaType(contentType: string, version: SoapVersion): void {
  const essence = mediaTypeEssence(contentType);
  if (essence !== "text/xml" && essence !== "application/soap+xml") {
    throw badRequest(`A SOAP message is sent as text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2), not as ${essence.slice(0, 80) || "an empty media type"}.`);
  }
  const charset = nonUtf8Charset(contentType);
  if (charset !== undefined) throw badRequest(`A SOAP message is read as UTF-8, not as charset=${charset}: send it with charset=utf-8 or no charset.`);
  if (version === "1.2" && essence !== "application/soap+xml") throw new StsError("version_mismatch", "A SOAP 1.2 envelope must be sent as application/soap+xml.");
  if (version === "1.1" && essence !== "text/xml") throw new StsError("version_mismatch", "A SOAP 1.1 envelope must be sent as text/xml.");
}

/**
 * The one action the message names. SOAP 1.1 §6.1.1 puts it in the SOAPAction HTTP header (a
 * quoted URI; "" or no header names none); SOAP 1.2 Part 2 §7.1.4 in the `action` parameter of
 * the media type; WS-Addressing in wsa:Action, and its SOAP Binding §4 wants these to be the
 * same. MSAL and ADAL send SOAPAction with SOAP 1.2 too, so every place is read whatever the
 * version: a gateway filtering on one of them must see what the STS acts on. Disagreement →
 * wsa:InvalidAddressingHeader / ActionMismatch.
 */
function messageAction(contentType: string | null, soapAction: string | null, wsaAction: string | undefined, wsaNs: string): string | undefined {
  const named: [string, string][] = [];
  const sa = (soapAction ?? "").trim().replace(/^"(.*)"$/, "$1").trim();
  if (sa !== "") named.push(["the SOAPAction header", sa]);
  const params = mediaTypeParams(contentType ?? "", "action").map((v) => v.trim());
  if (params.length > 1) throw invalidAddressingHeader("The Content-Type carries more than one action parameter.", "ActionMismatch");
  if (params[0]) named.push(["the Content-Type action", params[0]]);
  if (wsaAction !== undefined) named.push(["wsa:Action", wsaAction]);
  for (const [where, value] of named.slice(1)) {
    if (value !== named[0]![1]) {
      throw invalidAddressingHeader(
        `${named[0]![0]} ('${named[0]![1].slice(0, 200)}') and ${where} ('${value.slice(0, 200)}') name different actions.`,
        "ActionMismatch",
        // The header at fault when the message has one; two HTTP places disagreeing name none.
        wsaAction === undefined ? undefined : { ns: wsaNs, local: "Action" },
      );
    }
  }
  return named[0]?.[1];
}

/**
 * All text of an element with the XML white space at its ends removed (every descendant text
 * node: a comment never truncates it). XML's white space only: a no-break space, U+3000 or
 * U+FEFF at an end is part of the value (`\u00a0alice` is not `alice`).
 */
export function text(el: Element): string {
  return trimXmlSpace(textContent(el));
}

/**
 * Parses a SOAP request body under the configured XML limits (size, depth, elements,
 * attributes); anything the safe parser refuses (DOCTYPE, malformed UTF-8, a limit) is a
 * bad_request naming why. `keepSource` as for parseXml.
 */
export function parseSoapRequest(body: Uint8Array, limits: LimitsConfig, keepSource?: ParseXmlOptions["keepSource"]): Document {
  try {
    return parseXml(body, {
      maxBytes: limits.maxBodyBytes,
      maxDepth: limits.maxXmlDepth,
      maxElements: limits.maxXmlElements,
      maxAttributesPerElement: limits.maxXmlAttributesPerElement,
      ...(keepSource ? { keepSource } : {}),
    });
  } catch (e) {
    if (e instanceof XmlSecurityError) throw badRequest(`The request is not acceptable XML: ${e.message}`);
    throw e;
  }
}

/**
 * The operation payload: the one element a request's Body holds. Apart from
 * {@link readEnvelopeParts} because a Body holding none or two is the Body's error, not the
 * envelope's: the caller reads it where it processes the Body, so that its fault says so (a
 * SOAP 1.1 fault's detail, §4.4).
 */
export function bodyPayload(body: Element): Element {
  const payloads = childElements(body);
  if (payloads.length !== 1) throw badRequest("The SOAP Body must contain exactly one element.");
  return payloads[0]!;
}

/** The SOAP version of a parsed message's envelope, by its namespace; undefined for neither. */
function envelopeVersion(doc: Document): SoapVersion | undefined {
  const env = doc.documentElement;
  if (env?.localName !== "Envelope") return undefined;
  return env.namespaceURI === SOAP12_NS ? "1.2" : env.namespaceURI === SOAP11_NS ? "1.1" : undefined;
}

/**
 * What a reply or fault echoes of a request: its SOAP version, WS-Addressing version,
 * wsa:MessageID, and the reference parameters of wsa:ReplyTo and wsa:FaultTo.
 */
export interface ReplyContext {
  version: SoapVersion | undefined;
  wsaNs: string | undefined;
  relatesTo: string | undefined;
  referenceParameters: ReferenceParameterCopies;
}

/**
 * The {@link ReplyContext} of a parsed message, read before its envelope is checked: the SOAP
 * version of its envelope and, from a Header standing first in it, the WS-Addressing version and
 * wsa:MessageID of the header blocks targeted at us. So a fault about the envelope itself (a
 * header not understood, a mustUnderstand that is not a boolean, the other version's media type)
 * still answers in the requestor's versions and relates to its message (WS-Addressing 1.0 Core
 * §3.4). A body that did not parse has none of these: nothing is echoed from it. Reference
 * parameters that cannot be sent back (readAddressing refuses them) are not echoed either.
 */
export function replyContext(doc: Document): ReplyContext {
  const version = envelopeVersion(doc);
  if (version === undefined) return { version, wsaNs: undefined, relatesTo: undefined, referenceParameters: NO_REFERENCE_PARAMETERS };
  const first = childElements(doc.documentElement!)[0];
  const header = first?.localName === "Header" && first.namespaceURI === doc.documentElement!.namespaceURI ? first : null;
  const addressing = addressingBlocks(header, version);
  // The first of each, in the message's WS-Addressing version (a second is refused as such).
  const copies = (local: string) => {
    const epr = addressing.blocks.find((h) => h.localName === local && h.namespaceURI === addressing.ns);
    const c = epr ? referenceParameterCopies(epr) : undefined;
    return typeof c === "string" ? [] : c;
  };
  const reply = copies("ReplyTo");
  // WS-Addressing 1.0 Core §3.4: a fault goes to [fault endpoint] when present, else [reply endpoint].
  const referenceParameters = { reply: reply ?? [], fault: copies("FaultTo") ?? reply ?? [] };
  return { version, wsaNs: addressing.blocks.length > 0 ? addressing.ns : undefined, relatesTo: addressing.messageId, referenceParameters };
}

/**
 * The WS-Addressing header blocks of `header` targeted at us, in order, with the version of the
 * first (WS-Addressing 1.0 when there is none) and the first wsa:MessageID's text.
 */
function addressingBlocks(header: Element | null, version: SoapVersion): SoapEnvelope["addressing"] & { messageId?: string } {
  const addressing: SoapEnvelope["addressing"] & { messageId?: string } = { ns: WSA10_NS, blocks: [] };
  for (const h of header ? childElements(header) : []) {
    if (h.namespaceURI !== WSA10_NS && h.namespaceURI !== WSA04_NS) continue;
    if (!targetsUs(h, version)) continue;
    if (addressing.blocks.length === 0) addressing.ns = h.namespaceURI;
    if (h.localName === "MessageID" && addressing.messageId === undefined) addressing.messageId = text(h);
    addressing.blocks.push(h);
  }
  return addressing;
}

/**
 * Reads a SOAP 1.1 or 1.2 envelope: version from the envelope namespace (checked against the
 * HTTP content type), Header and Body, the WS-Addressing headers targeted at us, and
 * mustUnderstand (SOAP 1.1 §4.2.3, SOAP 1.2 Part 1 §5.2.3): a header targeted at us that we do
 * not understand and that is marked true → fault. The Body's contents are the caller's to read
 * ({@link bodyPayload}; a WS-Transfer Get's Body is empty by design).
 */
export function readEnvelopeParts(doc: Document, contentType: string | null): Omit<SoapEnvelope, "payload"> {
  const env = doc.documentElement;
  if (!env || env.localName !== "Envelope") throw badRequest("The request body is not a SOAP envelope.");
  const version = envelopeVersion(doc);
  if (version === undefined) throw new StsError("version_mismatch", "The SOAP envelope namespace is not SOAP 1.1 or SOAP 1.2.");
  // An envelope of one version in the other's binding is a version mismatch to that binding
  // (SOAP 1.1 §4.1.2; SOAP 1.2 Part 1 Appendix A), answered in the envelope's own version
  // (the caller's replyContext), which its sender can read.
  if (contentType) checkSoapMediaType(contentType, version);
  const ns = env.namespaceURI;
  let header: Element | null = null;
  let body: Element | null = null;
  for (const c of childElements(env)) {
    if (c.namespaceURI !== ns) throw badRequest(`Unexpected element '${(c.localName ?? "").slice(0, 200)}' in the SOAP envelope.`);
    if (c.localName === "Header" && !header && !body) header = c;
    else if (c.localName === "Body" && !body) body = c;
    else throw badRequest(`Unexpected element '${(c.localName ?? "").slice(0, 200)}' in the SOAP envelope.`);
  }
  if (!body) throw badRequest("The SOAP envelope has no Body.");
  for (const h of header ? childElements(header) : []) {
    // SOAP 1.2 Part 1 §5.2.1 and SOAP 1.1 §4.2: every header block is namespace-qualified. An
    // unqualified one names nothing a fault could point at (a NotUnderstood qname needs a
    // namespace), whatever role it is for.
    if (!h.namespaceURI) throw badRequest(`The SOAP header block '${(h.localName ?? "").slice(0, 200)}' is not namespace-qualified.`);
    const mu = mustUnderstand(h, ns);
    if (!targetsUs(h, version)) continue;
    if (mu && !UNDERSTOOD.has(`${h.namespaceURI} ${h.localName}`)) {
      throw new StsError(
        "must_understand",
        // The reason clips the caller's names as every fault does; the NotUnderstood block
        // (from the detail) names the header exactly, as SOAP 1.2 Part 1 §5.4.8 asks.
        `The header '{${(h.namespaceURI ?? "").slice(0, 200)}}${(h.localName ?? "").slice(0, 200)}' is marked mustUnderstand but is not understood.`,
        `${h.namespaceURI ?? ""} ${h.localName}`,
      );
    }
  }
  return { version, header, body, addressing: addressingBlocks(header, version) };
}

/** A header's QName, for a fault's wsa:ProblemHeaderQName. */
function headerName(h: Element): { ns: string; local: string } {
  return { ns: h.namespaceURI ?? "", local: h.localName ?? "" };
}

/**
 * The reply and fault addresses this endpoint can honour: it answers on the HTTP response and
 * never opens a connection of its own, so only "anonymous" (in either WS-Addressing version) or
 * "none" (WS-Addressing 1.0 Core §3.2: send nothing; the HTTP response is still the one answer).
 */
const RESPONSE_ADDRESSES = new Set([`${WSA10_NS}/anonymous`, `${WSA10_NS}/none`, `${WSA04_NS}/role/anonymous`]);

/**
 * wsa:ReplyTo and wsa:FaultTo must ask for the reply on the HTTP response. An address elsewhere
 * is refused rather than ignored: the requestor would wait there for a reply that never comes,
 * and SOAP Binding §5.2 says such a reply SHOULD NOT be the HTTP response (WS-Addressing 1.0
 * Metadata §5.1: wsa:InvalidAddressingHeader / wsa:OnlyAnonymousAddressSupported).
 */
function checkResponseEndpoint(h: Element): void {
  const addresses = childElements(h).filter((c) => c.namespaceURI === h.namespaceURI && c.localName === "Address");
  // An endpoint reference has exactly one wsa:Address (Core §2.2): with two, a gateway reading
  // the other one would see a different reply address than the one checked here.
  if (addresses.length > 1) throw invalidAddressingHeader(`wsa:${h.localName} has more than one wsa:Address.`, "InvalidCardinality", headerName(h));
  const address = addresses[0];
  const value = address ? text(address) : undefined;
  if (value !== undefined && RESPONSE_ADDRESSES.has(value)) return;
  throw invalidAddressingHeader(
    value === undefined
      ? `wsa:${h.localName} has no wsa:Address.`
      : `wsa:${h.localName} names '${value.slice(0, 200)}': this endpoint answers only on the HTTP response (the anonymous address).`,
    "OnlyAnonymousAddressSupported",
    headerName(h),
  );
}

/**
 * Checks and reads the WS-Addressing headers targeted at us: one WS-Addressing version, each
 * header at most once (WS-Addressing 1.0 Core §3.2; else wsa:InvalidAddressingHeader /
 * InvalidCardinality), replies asked for on the HTTP response (checkResponseEndpoint), and the
 * one action the message names (`soapAction`: the SOAPAction HTTP header; see messageAction).
 */
export function readAddressing(env: Omit<SoapEnvelope, "payload">, contentType: string | null, soapAction: string | null): Addressing {
  const seen = new Set<string>();
  let action: string | undefined;
  let to: string | undefined;
  for (const h of env.addressing.blocks) {
    if (h.namespaceURI !== env.addressing.ns) {
      throw invalidAddressingHeader("The message mixes WS-Addressing versions (2004/08 and 1.0).", undefined, headerName(h));
    }
    const local = h.localName ?? "";
    if (WSA_SINGLE.has(local)) {
      if (seen.has(local)) {
        throw invalidAddressingHeader(`The WS-Addressing header wsa:${local} appears more than once.`, "InvalidCardinality", headerName(h));
      }
      seen.add(local);
    }
    if (local === "Action") action = text(h);
    else if (local === "To") to = text(h);
    else if (local === "ReplyTo" || local === "FaultTo") {
      checkResponseEndpoint(h);
      const copies = referenceParameterCopies(h);
      if (typeof copies === "string") throw invalidAddressingHeader(copies, undefined, headerName(h));
    }
  }
  return { action: messageAction(contentType, soapAction, action, env.addressing.ns), to };
}

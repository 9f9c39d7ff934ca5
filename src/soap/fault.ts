import type { AddressingProblem, StsErrorCode } from "../errors.ts";
import { type Markup, xml } from "../xml/markup.ts";
import { SOAP11_NS, SOAP12_NS, type SoapVersion, WSA04_FAULT_ACTION, WSA04_NS, WSA10_FAULT_ACTION, WSA10_NS, WSSE_NS } from "./ns.ts";
import { soapReply } from "./reply.ts";

/** Where a fault code's QName lives: WS-Trust, WS-Security, WS-Addressing or SOAP itself. */
type FaultSpace = "wst" | "wsse" | "wsa" | "soap";

/**
 * WS-Trust 1.3 §11 / WS-Security 1.1 §12 / WS-Addressing 1.0 SOAP Binding §6.4 fault QNames for
 * each engine error code. Exhaustive: adding a code without a fault here is a type error.
 * `local04`: the name in the 2004/08 WS-Addressing submission (§5), where it differs.
 */
const FAULTS: Record<StsErrorCode, { space: FaultSpace; local: string; local04?: string; receiver?: boolean; http?: number }> = {
  invalid_request: { space: "wst", local: "InvalidRequest" },
  bad_request: { space: "wst", local: "BadRequest" },
  // The HTTP status says what a SOAP stack can act on before reading any fault: shrink the body.
  payload_too_large: { space: "wst", local: "BadRequest", http: 413 },
  authentication_failed: { space: "wst", local: "FailedAuthentication" },
  not_authorized: { space: "wst", local: "RequestFailed" },
  invalid_scope: { space: "wst", local: "InvalidScope" },
  scope_refused: { space: "wst", local: "InvalidRequest" },
  invalid_time_range: { space: "wst", local: "InvalidTimeRange" },
  invalid_token: { space: "wst", local: "InvalidSecurityToken" },
  unable_to_renew: { space: "wst", local: "UnableToRenew" },
  unsupported_token: { space: "wsse", local: "UnsupportedSecurityToken" },
  // WS-Trust carries no DPoP proof; a DPoP-bound token used where a proof would be needed is a
  // request this endpoint cannot serve.
  invalid_dpop_proof: { space: "wst", local: "InvalidRequest" },
  use_dpop_nonce: { space: "wst", local: "InvalidRequest" },
  message_expired: { space: "wsse", local: "MessageExpired" },
  must_understand: { space: "soap", local: "MustUnderstand" },
  version_mismatch: { space: "soap", local: "VersionMismatch" },
  action_not_supported: { space: "wsa", local: "ActionNotSupported" },
  invalid_addressing_header: { space: "wsa", local: "InvalidAddressingHeader", local04: "InvalidMessageInformationHeader" },
  destination_unreachable: { space: "wsa", local: "DestinationUnreachable" },
  rate_limited: { space: "wst", local: "RequestFailed", http: 429 },
  not_configured: { space: "wst", local: "RequestFailed", receiver: true, http: 503 },
  // No endpoint of ours lives at that host or path (WS-Addressing 1.0 SOAP Binding §6.4.3).
  unknown_realm: { space: "wsa", local: "DestinationUnreachable", http: 404 },
  internal_error: { space: "wst", local: "RequestFailed", receiver: true },
};

/** The fault an error code is told as, by its QName under the usual prefix (wst:, wsse:, wsa:, s:). */
export function faultName(code: StsErrorCode): string {
  const def = FAULTS[code];
  return `${def.space === "soap" ? "s" : def.space}:${def.local}`;
}

export interface FaultInput {
  code: StsErrorCode;
  reason: string;
  /** Namespace of the WS-Trust version in use (wst prefix). */
  trustNs: string;
  relatesTo?: string | undefined;
  wsaNs?: string | undefined;
  /** The reference parameters of the fault's destination (wsa:FaultTo, else wsa:ReplyTo), as header blocks. */
  referenceParameters?: readonly Markup[] | undefined;
  /**
   * The error's detail: for must_understand, "namespace localName" of the header not
   * understood; for a WS-Addressing fault, its more specific subcode (e.g. InvalidCardinality).
   */
  detail?: string | undefined;
  /** For a WS-Addressing fault: what in the message it is about (its [Detail]). */
  problem?: AddressingProblem | undefined;
  /**
   * The fault is about the Body's contents (the RST, a token in it, what it asks for), not about
   * a header block or the envelope: in SOAP 1.1 it then carries a `detail` (§4.4).
   */
  aboutBody?: boolean | undefined;
}

/** A value longer than this is not echoed in a fault's detail (the reason names it, shortened). */
const MAX_PROBLEM_CHARS = 2048;

/**
 * WS-Addressing 1.0 SOAP Binding §6.4: the [Detail] of a fault, the `wsa:ProblemHeaderQName`,
 * `wsa:ProblemAction` or `wsa:ProblemIRI` that lets a client tell which of its headers or
 * values to fix without parsing the reason. Under the `wsa` prefix, declared by the caller.
 */
function problemDetail(p: AddressingProblem): Markup | undefined {
  if ("header" in p) {
    const { ns, local } = p.header;
    if (ns.length > MAX_PROBLEM_CHARS) return undefined;
    // The value is a QName: its prefix must be declared where it stands.
    return ns === WSA10_NS
      ? xml`<wsa:ProblemHeaderQName>wsa:${local}</wsa:ProblemHeaderQName>`
      : xml`<wsa:ProblemHeaderQName xmlns:p="${ns}">p:${local}</wsa:ProblemHeaderQName>`;
  }
  if ("action" in p) return p.action.length > MAX_PROBLEM_CHARS ? undefined : xml`<wsa:ProblemAction><wsa:Action>${p.action}</wsa:Action></wsa:ProblemAction>`;
  return p.iri.length > MAX_PROBLEM_CHARS ? undefined : xml`<wsa:ProblemIRI>${p.iri}</wsa:ProblemIRI>`;
}

/** Builds a SOAP fault in the caller's SOAP version; returns the body and the HTTP status. */
export function buildFault(version: SoapVersion, f: FaultInput): { xml: string; status: number } {
  const def = FAULTS[f.code];
  const wsaNs = f.wsaNs ?? WSA10_NS;
  const nsUri = def.space === "wst" ? f.trustNs : def.space === "wsse" ? WSSE_NS : def.space === "wsa" ? wsaNs : undefined;
  const nsDecl =
    nsUri === undefined
      ? undefined
      : def.space === "wst"
        ? xml` xmlns:wst="${nsUri}"`
        : def.space === "wsse"
          ? xml` xmlns:wsse="${nsUri}"`
          : xml` xmlns:wsa="${nsUri}"`;
  const local = def.space === "wsa" && wsaNs === WSA04_NS ? (def.local04 ?? def.local) : def.local;
  const qname = def.space === "soap" ? `s:${local}` : `${def.space}:${local}`;
  // Subcodes and detail elements are WS-Addressing 1.0's; the 2004/08 submission defines others.
  const wsa10 = def.space === "wsa" && wsaNs === WSA10_NS;
  const problem = wsa10 && f.problem ? problemDetail(f.problem) : undefined;
  let fault: Markup;
  let header: Markup | undefined;
  if (version === "1.1") {
    // SOAP 1.1 §4.4: the WS-Trust / WS-Security / WS-Addressing QName is the faultcode itself.
    // §4.4: detail "MUST be present if the contents of the Body element could not be
    // successfully processed" and "MUST NOT be used" for header entries' errors, so its presence
    // tells the requestor which part failed (as .NET's ASMX stack sends it). WS-Trust defines
    // nothing to put in it: faultcode and faultstring already say what, so it stays empty.
    const detail = f.aboutBody ? xml`<detail/>` : undefined;
    fault = xml`<s:Fault${nsDecl}><faultcode>${qname}</faultcode><faultstring xml:lang="en">${f.reason}</faultstring>${detail}</s:Fault>`;
    // SOAP 1.1 keeps detail for the Body's own errors: WS-Addressing 1.0 SOAP Binding §6 carries
    // it in a wsa:FaultDetail header block instead.
    if (problem) header = xml`<wsa:FaultDetail xmlns:wsa="${WSA10_NS}">${problem}</wsa:FaultDetail>`;
  } else {
    // SOAP 1.2 Part 1 §5.4.6: Sender/Receiver with the specific QName as Subcode; WS-Addressing
    // 1.0 faults may name a more specific one under it (SOAP Binding §6.4.1).
    const top = def.space === "soap" ? qname : def.receiver ? "s:Receiver" : "s:Sender";
    const inner = wsa10 && f.detail ? xml`<s:Subcode><s:Value>wsa:${f.detail}</s:Value></s:Subcode>` : undefined;
    const sub = def.space === "soap" ? undefined : xml`<s:Subcode><s:Value>${qname}</s:Value>${inner}</s:Subcode>`;
    const detail = problem ? xml`<s:Detail>${problem}</s:Detail>` : undefined;
    fault = xml`<s:Fault${nsDecl}><s:Code><s:Value>${top}</s:Value>${sub}</s:Code><s:Reason><s:Text xml:lang="en">${f.reason}</s:Text></s:Reason>${detail}</s:Fault>`;
    if (f.code === "must_understand" && f.detail) {
      // SOAP 1.2 Part 1 §5.4.8: a NotUnderstood header names the header block. "namespace
      // localName": a namespace may hold spaces, a local name never does.
      const cut = f.detail.lastIndexOf(" ");
      header = xml`<s:NotUnderstood xmlns:nu="${f.detail.slice(0, Math.max(cut, 0))}" qname="nu:${f.detail.slice(cut + 1)}"/>`;
    }
  }
  if (f.code === "version_mismatch") {
    // SOAP 1.2 Part 1 §5.4.7: a VersionMismatch fault SHOULD carry an env:Upgrade header block
    // listing the envelopes this node supports, most preferred first (§5.4.8); Appendix A puts the
    // same block, in the SOAP 1.2 namespace, in a SOAP 1.1 fault.
    header = xml`<u:Upgrade xmlns:u="${SOAP12_NS}"><u:SupportedEnvelope qname="u:Envelope"/><u:SupportedEnvelope xmlns:v="${SOAP11_NS}" qname="v:Envelope"/></u:Upgrade>`;
  }
  // The fault action is the requestor's WS-Addressing version's, as its RelatesTo and header names are.
  const action = wsaNs === WSA04_NS ? WSA04_FAULT_ACTION : WSA10_FAULT_ACTION;
  const envelope = soapReply(version, { action, relatesTo: f.relatesTo, ns: f.wsaNs, referenceParameters: f.referenceParameters }, fault, header);
  // SOAP 1.2 Part 2 §7.5.1 table 20: Sender → 400; MustUnderstand, VersionMismatch, Receiver → 500.
  const status = def.http ?? (version === "1.1" || def.receiver || def.space === "soap" ? 500 : 400);
  return { xml: envelope, status };
}

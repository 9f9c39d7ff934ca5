import { WSA10_NS, WSU_NS } from "../soap/ns.ts";
import { escapeAttr, escapeText } from "../xml/escape.ts";
import { TRUST13, TRUST2005, type TrustNs, WSP_NS } from "./ns.ts";

const WSDL_NS = "http://schemas.xmlsoap.org/wsdl/";
const SOAP12_WSDL_NS = "http://schemas.xmlsoap.org/wsdl/soap12/";
const WSAW_NS = "http://www.w3.org/2006/05/addressing/wsdl";
const SP12_NS = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702";
const SP2005_NS = "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy";
const TNS = "http://schemas.microsoft.com/ws/2008/06/identity/securitytokenservice";
const HTTP_TRANSPORT = "http://schemas.xmlsoap.org/soap/http";

/** The endpoints the WSDL advertises, relative to the origin. */
export const TRUST_ENDPOINTS = {
  "13": "/trust/13/usernamemixed",
  "2005": "/trust/2005/usernamemixed",
} as const;

interface Flavour {
  trust: TrustNs;
  portType: string;
  opPrefix: string;
  binding: string;
  sp: string;
  /** WS-SP 1.2 (200702) calls it SignedEncryptedSupportingTokens; the 2005/07 draft has SignedSupportingTokens. */
  supporting: string;
  include: string;
  trustAssertion: string;
  wssUsername: string;
}

const FLAVOURS: Flavour[] = [
  {
    trust: TRUST13,
    portType: "IWSTrust13Async",
    opPrefix: "Trust13",
    binding: "UserNameWSTrustBinding_IWSTrust13Async",
    sp: SP12_NS,
    supporting: "SignedEncryptedSupportingTokens",
    include: `${SP12_NS}/IncludeToken/AlwaysToRecipient`,
    trustAssertion: "Trust13",
    wssUsername: "WssUsernameToken10",
  },
  {
    trust: TRUST2005,
    portType: "IWSTrustFeb2005Async",
    opPrefix: "TrustFeb2005",
    binding: "UserNameWSTrustBinding_IWSTrustFeb2005Async",
    sp: SP2005_NS,
    supporting: "SignedSupportingTokens",
    include: `${SP2005_NS}/IncludeToken/AlwaysToRecipient`,
    trustAssertion: "Trust10",
    wssUsername: "WssUsernameToken10",
  },
];

const OPS = [
  ["Issue", "issue", "issueReply"],
  ["Validate", "validate", "validateReply"],
  ["Renew", "renew", "renewReply"],
  ["Cancel", "cancel", "cancelReply"],
] as const;

/** WS-SecurityPolicy for a usernamemixed endpoint: TLS transport binding + a UsernameToken. */
function policy(f: Flavour): string {
  const sp = f.sp;
  return (
    `<wsp:Policy wsu:Id="${f.binding}_policy"><wsp:ExactlyOne><wsp:All>` +
    `<sp:TransportBinding xmlns:sp="${sp}"><wsp:Policy>` +
    `<sp:TransportToken><wsp:Policy><sp:HttpsToken${f.sp === SP12_NS ? "" : ' RequireClientCertificate="false"'}/></wsp:Policy></sp:TransportToken>` +
    `<sp:AlgorithmSuite><wsp:Policy><sp:Basic256/></wsp:Policy></sp:AlgorithmSuite>` +
    `<sp:Layout><wsp:Policy><sp:Strict/></wsp:Policy></sp:Layout><sp:IncludeTimestamp/>` +
    `</wsp:Policy></sp:TransportBinding>` +
    `<sp:${f.supporting} xmlns:sp="${sp}"><wsp:Policy>` +
    `<sp:UsernameToken sp:IncludeToken="${f.include}"><wsp:Policy><sp:${f.wssUsername}/></wsp:Policy></sp:UsernameToken>` +
    `</wsp:Policy></sp:${f.supporting}>` +
    `<sp:Wss11 xmlns:sp="${sp}"><wsp:Policy/></sp:Wss11>` +
    `<sp:${f.trustAssertion} xmlns:sp="${sp}"><wsp:Policy><sp:MustSupportIssuedTokens/>` +
    `<sp:RequireClientEntropy/><sp:RequireServerEntropy/></wsp:Policy></sp:${f.trustAssertion}>` +
    `<wsaw:UsingAddressing/>` +
    `</wsp:All></wsp:ExactlyOne></wsp:Policy>`
  );
}

function messagesAndPortType(f: Flavour): string {
  const t = f.trust.version === "13" ? "trust" : "t";
  let msgs = "";
  let ops = "";
  for (const [name, kind, reply] of OPS) {
    const op = `${f.opPrefix}${name}Async`;
    const inMsg = `${f.portType}_${op}_InputMessage`;
    const outMsg = `${f.portType}_${op}_OutputMessage`;
    const outEl =
      f.trust.version === "13" && kind === "issue" ? "RequestSecurityTokenResponseCollection" : "RequestSecurityTokenResponse";
    msgs +=
      `<wsdl:message name="${inMsg}"><wsdl:part name="request" element="${t}:RequestSecurityToken"/></wsdl:message>` +
      `<wsdl:message name="${outMsg}"><wsdl:part name="${f.trust.version === "13" ? "responseCollection" : "response"}" element="${t}:${outEl}"/></wsdl:message>`;
    ops +=
      `<wsdl:operation name="${op}">` +
      `<wsdl:input wsaw:Action="${f.trust.actions[kind]}" message="tns:${inMsg}"/>` +
      `<wsdl:output wsaw:Action="${f.trust.actions[reply]}" message="tns:${outMsg}"/></wsdl:operation>`;
  }
  return msgs + `<wsdl:portType name="${f.portType}">${ops}</wsdl:portType>`;
}

function binding(f: Flavour): string {
  let ops = "";
  for (const [name, kind] of OPS) {
    ops +=
      `<wsdl:operation name="${f.opPrefix}${name}Async">` +
      `<soap12:operation soapAction="${f.trust.actions[kind]}" style="document"/>` +
      `<wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output>` +
      `</wsdl:operation>`;
  }
  return (
    `<wsdl:binding name="${f.binding}" type="tns:${f.portType}">` +
    `<wsp:PolicyReference URI="#${f.binding}_policy"/>` +
    `<soap12:binding transport="${HTTP_TRANSPORT}"/>${ops}</wsdl:binding>`
  );
}

function port(f: Flavour, origin: string): string {
  const url = escapeAttr(origin + TRUST_ENDPOINTS[f.trust.version]);
  return (
    `<wsdl:port name="${f.binding}" binding="tns:${f.binding}">` +
    `<soap12:address location="${url}"/>` +
    `<wsa10:EndpointReference><wsa10:Address>${escapeText(origin + TRUST_ENDPOINTS[f.trust.version])}</wsa10:Address></wsa10:EndpointReference>` +
    `</wsdl:port>`
  );
}

/**
 * The WSDL with inline WS-SecurityPolicy, as AD FS answers an HTTP GET on /adfs/services/trust/mex:
 * root wsdl:definitions, one wsp:Policy (with wsu:Id) per binding, SOAP 1.2 bindings that
 * reference their policy, and wsdl:service ports whose wsa10:EndpointReference names the
 * public endpoint address. `origin` is the public origin of this STS.
 */
export function buildWsdl(origin: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<wsdl:definitions name="SecurityTokenService" targetNamespace="${TNS}" xmlns:wsdl="${WSDL_NS}" ` +
    `xmlns:soap12="${SOAP12_WSDL_NS}" xmlns:wsu="${WSU_NS}" xmlns:wsp="${WSP_NS}" xmlns:wsa10="${WSA10_NS}" ` +
    `xmlns:wsaw="${WSAW_NS}" xmlns:tns="${TNS}" xmlns:trust="${TRUST13.ns}" xmlns:t="${TRUST2005.ns}" ` +
    `xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
    FLAVOURS.map(policy).join("") +
    `<wsdl:types><xsd:schema targetNamespace="${TNS}/Imports">` +
    `<xsd:import namespace="${TRUST13.ns}"/><xsd:import namespace="${TRUST2005.ns}"/></xsd:schema></wsdl:types>` +
    FLAVOURS.map(messagesAndPortType).join("") +
    FLAVOURS.map(binding).join("") +
    `<wsdl:service name="SecurityTokenService">${FLAVOURS.map((f) => port(f, origin)).join("")}</wsdl:service>` +
    `</wsdl:definitions>`
  );
}

import { WSA10_NS, WSU_NS } from "../soap/ns.ts";
import { XS_NS } from "../xml/dom.ts";
import { type Markup, trustedMarkup, xml } from "../xml/markup.ts";
import { TRUST13, TRUST2005, type TrustNs, WSP_NS } from "./ns.ts";
import type { StsContext } from "../engine/types.ts";
import type { Coverage } from "../soap/message-signature.ts";
import { type RequestorAuthentication, TRUST_ENDPOINT_LIST, type TrustEndpoint, acceptsSha1Signatures, servedEndpoints, signatureCoverage } from "./endpoints.ts";

export const WSDL_NS = "http://schemas.xmlsoap.org/wsdl/";
const SOAP12_WSDL_NS = "http://schemas.xmlsoap.org/wsdl/soap12/";
const WSAW_NS = "http://www.w3.org/2006/05/addressing/wsdl";
const SP12_NS = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702";
const SP2005_NS = "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy";
/** The target namespace of the WSDL, AD FS's: the identifier of its WS-MetadataExchange section. */
export const TNS = "http://schemas.microsoft.com/ws/2008/06/identity/securitytokenservice";
const HTTP_TRANSPORT = "http://schemas.xmlsoap.org/soap/http";

/** The usernamemixed endpoint of each WS-Trust version, relative to the origin. */
export const TRUST_ENDPOINTS = {
  "13": "/trust/13/usernamemixed",
  "2005": "/trust/2005/usernamemixed",
} as const;

const X509_TOKEN_PROFILE = "WssX509V3Token10";

/** WS-SecurityPolicy assertion names the flavours use (element names, so constants only). */
type SpName = "SignedEncryptedSupportingTokens" | "SignedSupportingTokens" | "Trust13" | "Trust10" | "WssUsernameToken10" | "WssX509V3Token10" | AlgorithmSuite;

/** The WS-SP 1.2 §6.1 algorithm suites the policies may name. */
type AlgorithmSuite = "Basic256Sha256" | "Basic256";

/** What the bindings of one WS-Trust version share: the port type and the policy dialect. */
interface Flavour {
  trust: TrustNs;
  portType: string;
  opPrefix: string;
  sp: string;
  /** WS-SP 1.2 (200702) calls it SignedEncryptedSupportingTokens; the 2005/07 draft has SignedSupportingTokens. */
  supporting: SpName;
  include: string;
  trustAssertion: SpName;
  wssUsername: SpName;
}

const FLAVOURS: Record<"13" | "2005", Flavour> = {
  "13": {
    trust: TRUST13,
    portType: "IWSTrust13Async",
    opPrefix: "Trust13",
    sp: SP12_NS,
    supporting: "SignedEncryptedSupportingTokens",
    include: `${SP12_NS}/IncludeToken/AlwaysToRecipient`,
    trustAssertion: "Trust13",
    wssUsername: "WssUsernameToken10",
  },
  "2005": {
    trust: TRUST2005,
    portType: "IWSTrustFeb2005Async",
    opPrefix: "TrustFeb2005",
    sp: SP2005_NS,
    supporting: "SignedSupportingTokens",
    include: `${SP2005_NS}/IncludeToken/AlwaysToRecipient`,
    trustAssertion: "Trust10",
    wssUsername: "WssUsernameToken10",
  },
};

/** One advertised endpoint: its binding (named as AD FS names them) and its version's flavour. */
interface Port {
  endpoint: TrustEndpoint;
  f: Flavour;
  binding: string;
}

const BINDING_PREFIX: Record<RequestorAuthentication, string> = {
  username: "UserNameWSTrustBinding",
  certificate: "CertificateWSTrustBinding",
  "issued-token": "IssuedTokenWSTrustBinding",
};

const PORTS: Port[] = TRUST_ENDPOINT_LIST.map((endpoint) => {
  const f = FLAVOURS[endpoint.version];
  const variant = endpoint.authentication === "issued-token" ? `_${endpoint.path.slice(endpoint.path.lastIndexOf("/") + 1)}` : "";
  return { endpoint, f, binding: `${BINDING_PREFIX[endpoint.authentication]}_${f.portType}${variant}` };
});

const OPS = [
  ["Issue", "issue", "issueReply"],
  ["Validate", "validate", "validateReply"],
  ["Renew", "renew", "renewReply"],
  ["Cancel", "cancel", "cancelReply"],
] as const;

/**
 * WS-SecurityPolicy of an endpoint: TLS transport binding with a timestamp, then how the
 * requestor proves itself — a UsernameToken (usernamemixed), an X.509 token that signs the
 * Body, the Timestamp and wsa:To (certificatemixed), or a SAML token issued by a trusted party
 * whose key endorses the message the same way (issuedtokenmixed; a bearer token is taken too) —
 * and the WS-Trust features offered. The trust assertion is the one
 * AD FS publishes, and what it states holds: a client that sends wst:Entropy for a SymmetricKey
 * token gets the server's entropy back and a P_SHA1 computed key (WS-SP 1.2 §10.1
 * RequireClientEntropy / RequireServerEntropy); a bearer request, which has no key, needs none.
 * Written as AD FS writes it (not `wsp:Optional`), since that is the form WCF's policy importer
 * is known to turn into a working binding.
 *
 * The algorithm suite is the one the message signatures are checked under, since a client
 * generated from this policy signs with it (WS-SP 1.2 §6.1): Basic256Sha256 (RSA-SHA256,
 * HMAC-SHA256, SHA-256 digests), or Basic256 (rsa-sha1, HMAC-SHA1, SHA-1 digests: AD FS's
 * default) only where the deployment accepts SHA-1 for old clients. The endpoint names keep
 * AD FS's `…basic256`, which clients know as fixed paths.
 *
 * The endorsing signature's `sp:SignedParts` are the parts the endpoint holds it to
 * ({@link signedParts}); under the TransportBinding it covers the Timestamp besides (WS-SP 1.2
 * §8.3), which no SignedParts names.
 */
function policy(port: Port, suite: AlgorithmSuite, coverage: Coverage): Markup {
  const { f } = port;
  const sp = f.sp;
  const https = f.sp === SP12_NS ? xml`<sp:HttpsToken/>` : xml`<sp:HttpsToken RequireClientCertificate="false"/>`;
  const transport = xml`<sp:TransportBinding xmlns:sp="${sp}"><wsp:Policy><sp:TransportToken><wsp:Policy>${https}</wsp:Policy></sp:TransportToken><sp:AlgorithmSuite><wsp:Policy>${element(sp, suite)}</wsp:Policy></sp:AlgorithmSuite><sp:Layout><wsp:Policy><sp:Strict/></wsp:Policy></sp:Layout><sp:IncludeTimestamp/></wsp:Policy></sp:TransportBinding>`;
  let requestor: Markup;
  switch (port.endpoint.authentication) {
    case "username":
      requestor = element(sp, f.supporting, xml`<wsp:Policy><sp:UsernameToken sp:IncludeToken="${f.include}"><wsp:Policy>${element(sp, f.wssUsername)}</wsp:Policy></sp:UsernameToken></wsp:Policy>`, true);
      break;
    case "certificate":
      requestor = xml`<sp:EndorsingSupportingTokens xmlns:sp="${sp}"><wsp:Policy><sp:X509Token sp:IncludeToken="${f.include}"><wsp:Policy>${element(sp, X509_TOKEN_PROFILE)}</wsp:Policy></sp:X509Token>${signedParts(coverage)}</wsp:Policy></sp:EndorsingSupportingTokens>`;
      break;
    case "issued-token": {
      // The issued token endorses the message: its key signs the parts signedParts names (an
      // HMAC with a symmetric proof key, or the confirmed public key's signature).
      const symmetric = port.endpoint.issuedKey === "symmetric";
      const keyType = `${f.trust.ns}/${symmetric ? "SymmetricKey" : "PublicKey"}`;
      const template = xml`<t:KeyType xmlns:t="${f.trust.ns}">${keyType}</t:KeyType>${symmetric ? xml`<t:KeySize xmlns:t="${f.trust.ns}">256</t:KeySize>` : undefined}`;
      requestor = xml`<sp:EndorsingSupportingTokens xmlns:sp="${sp}"><wsp:Policy><sp:IssuedToken sp:IncludeToken="${f.include}"><sp:RequestSecurityTokenTemplate>${template}</sp:RequestSecurityTokenTemplate><wsp:Policy><sp:RequireInternalReference/></wsp:Policy></sp:IssuedToken>${signedParts(coverage)}</wsp:Policy></sp:EndorsingSupportingTokens>`;
      break;
    }
  }
  return xml`<wsp:Policy wsu:Id="${port.binding}_policy"><wsp:ExactlyOne><wsp:All>${transport}${requestor}<sp:Wss11 xmlns:sp="${sp}"><wsp:Policy/></sp:Wss11>${element(sp, f.trustAssertion, xml`<wsp:Policy><sp:MustSupportIssuedTokens/><sp:RequireClientEntropy/><sp:RequireServerEntropy/></wsp:Policy>`, true)}<wsaw:UsingAddressing/></wsp:All></wsp:ExactlyOne></wsp:Policy>`;
}

/**
 * What an endorsing signature must sign besides the Timestamp, as the endpoint checks it
 * (src/soap/message-signature.ts `Coverage`): the Body, wsa:To and wsa:Action; or, where the
 * deployment takes WCF's TransportWithMessageCredential signatures (timestamp-only coverage),
 * wsa:To alone, as AD FS publishes for certificatemixed and WCF's CertificateOverTransport
 * binding writes it. Naming the Body there would tell a client generated from this policy to do
 * more than the endpoint asks, and a WCF client, which never signs the Body, that it cannot sign
 * in. The endpoint takes a signature that leaves out wsa:To too; a client that follows the
 * policy signs it, as WCF does.
 */
function signedParts(coverage: Coverage): Markup {
  const to = xml`<sp:Header Name="To" Namespace="${WSA10_NS}"/>`;
  if (coverage === "timestamp") return xml`<sp:SignedParts>${to}</sp:SignedParts>`;
  return xml`<sp:SignedParts><sp:Body/>${to}<sp:Header Name="Action" Namespace="${WSA10_NS}"/></sp:SignedParts>`;
}

/** `<sp:NAME>` (its name one of our constants), declaring sp when asked, with optional content. */
function element(sp: string, name: SpName, content?: Markup, declare = false): Markup {
  const open = trustedMarkup(`sp:${name}`);
  const ns = declare ? xml` xmlns:sp="${sp}"` : undefined;
  return content === undefined ? xml`<${open}${ns}/>` : xml`<${open}${ns}>${content}</${open}>`;
}

function messagesAndPortType(f: Flavour): Markup {
  const t = f.trust.version === "13" ? "trust" : "t";
  const msgs: Markup[] = [];
  const ops: Markup[] = [];
  for (const [name, kind, reply] of OPS) {
    const op = `${f.opPrefix}${name}Async`;
    const inMsg = `${f.portType}_${op}_InputMessage`;
    const outMsg = `${f.portType}_${op}_OutputMessage`;
    const outEl =
      f.trust.version === "13" && kind === "issue" ? "RequestSecurityTokenResponseCollection" : "RequestSecurityTokenResponse";
    msgs.push(
      xml`<wsdl:message name="${inMsg}"><wsdl:part name="request" element="${t}:RequestSecurityToken"/></wsdl:message><wsdl:message name="${outMsg}"><wsdl:part name="${f.trust.version === "13" ? "responseCollection" : "response"}" element="${t}:${outEl}"/></wsdl:message>`,
    );
    ops.push(
      xml`<wsdl:operation name="${op}"><wsdl:input wsaw:Action="${f.trust.actions[kind]}" message="tns:${inMsg}"/><wsdl:output wsaw:Action="${f.trust.actions[reply]}" message="tns:${outMsg}"/></wsdl:operation>`,
    );
  }
  return xml`${msgs}<wsdl:portType name="${f.portType}">${ops}</wsdl:portType>`;
}

function binding(port: Port): Markup {
  const { f } = port;
  const ops = OPS.map(
    ([name, kind]) =>
      xml`<wsdl:operation name="${f.opPrefix}${name}Async"><soap12:operation soapAction="${f.trust.actions[kind]}" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>`,
  );
  return xml`<wsdl:binding name="${port.binding}" type="tns:${f.portType}"><wsp:PolicyReference URI="#${port.binding}_policy"/><soap12:binding transport="${HTTP_TRANSPORT}"/>${ops}</wsdl:binding>`;
}


/**
 * The schema of one WS-Trust version's message elements, inline in wsdl:types so that a WSDL
 * reader binds the operations without fetching anything: each element holds any content and
 * attributes (the endpoint, not the schema, decides what a request may say), as AD FS's
 * published schemas do. A bare xsd:import with no schemaLocation leaves SOAP stacks such as
 * zeep with no element to bind an operation's message to.
 */
function messageSchema(trust: TrustNs): Markup {
  const elements = ["RequestSecurityToken", "RequestSecurityTokenResponse", "RequestSecurityTokenResponseCollection"].map(
    (name) => xml`<xsd:element name="${name}" type="tns:MessageBody"/>`,
  );
  return xml`<xsd:schema xmlns:tns="${trust.ns}" targetNamespace="${trust.ns}" elementFormDefault="qualified">${elements}<xsd:complexType name="MessageBody"><xsd:sequence><xsd:any minOccurs="0" maxOccurs="unbounded" processContents="lax" namespace="##any"/></xsd:sequence><xsd:anyAttribute processContents="lax" namespace="##any"/></xsd:complexType></xsd:schema>`;
}

function port(p: Port, origin: string): Markup {
  const url = origin + p.endpoint.path;
  return xml`<wsdl:port name="${p.binding}" binding="tns:${p.binding}"><soap12:address location="${url}"/><wsa10:EndpointReference><wsa10:Address>${url}</wsa10:Address></wsa10:EndpointReference></wsdl:port>`;
}

/**
 * The WSDL with inline WS-SecurityPolicy, as AD FS answers an HTTP GET on /adfs/services/trust/mex:
 * root wsdl:definitions, one wsp:Policy (with wsu:Id) per binding, SOAP 1.2 bindings that
 * reference their policy, and wsdl:service ports whose wsa10:EndpointReference names the
 * public endpoint address. `origin` is the public origin of this STS; `served`, the endpoints
 * its configuration can authenticate anyone at (servedEndpoints); `sha1`, whether its message
 * signatures may use SHA-1 (acceptsSha1Signatures); `coverage`, what its message signatures
 * must cover (signatureCoverage).
 */
export function buildWsdl(origin: string, served: readonly TrustEndpoint[] = TRUST_ENDPOINT_LIST, sha1 = false, coverage: Coverage = "message"): string {
  const ports = PORTS.filter((p) => served.includes(p.endpoint));
  const suite: AlgorithmSuite = sha1 ? "Basic256" : "Basic256Sha256";
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    xml`<wsdl:definitions name="SecurityTokenService" targetNamespace="${TNS}" xmlns:wsdl="${WSDL_NS}" xmlns:soap12="${SOAP12_WSDL_NS}" xmlns:wsu="${WSU_NS}" xmlns:wsp="${WSP_NS}" xmlns:wsa10="${WSA10_NS}" xmlns:wsaw="${WSAW_NS}" xmlns:tns="${TNS}" xmlns:trust="${TRUST13.ns}" xmlns:t="${TRUST2005.ns}" xmlns:xsd="${XS_NS}">${ports.map((p) => policy(p, suite, coverage))}<wsdl:types>${messageSchema(TRUST13)}${messageSchema(TRUST2005)}</wsdl:types>${Object.values(FLAVOURS).map(messagesAndPortType)}${ports.map(binding)}<wsdl:service name="SecurityTokenService">${ports.map((p) => port(p, origin))}</wsdl:service></wsdl:definitions>`.xml
  );
}

/** The WSDL this request's configuration publishes: its served endpoints, under the suite and the signature coverage it accepts. */
export function wsdlFor(ctx: StsContext): string {
  return buildWsdl(ctx.origin, servedEndpoints(ctx.config, ctx.issuer), acceptsSha1Signatures(ctx.config), signatureCoverage(ctx.config));
}

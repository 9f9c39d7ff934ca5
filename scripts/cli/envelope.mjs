// Builds a WS-Trust Issue request (RST) in a SOAP 1.1 or 1.2 envelope with a WS-Security
// UsernameToken (PasswordText), a wsu:Timestamp and WS-Addressing 1.0 headers — the message
// shape WCF's UserNameWSTrustBinding / AD FS "usernamemixed" clients send.
import { NS, esc } from "./xml.mjs";
import { proofKeyRequestXml } from "./proof-key.mjs";

export const SOAP_NS = {
  "1.1": "http://schemas.xmlsoap.org/soap/envelope/",
  "1.2": "http://www.w3.org/2003/05/soap-envelope",
};

/** Per-trust-version URIs (WS-Trust 1.3 §3.1/§4 and the February 2005 draft). */
export const TRUST = {
  13: {
    ns: "http://docs.oasis-open.org/ws-sx/ws-trust/200512",
    action: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue",
    requestType: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
    bearer: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer",
  },
  2005: {
    ns: "http://schemas.xmlsoap.org/ws/2005/02/trust",
    action: "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue",
    requestType: "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue",
    // The 2005 draft has no Bearer key type; WCF sends the identity "NoProofKey" URI instead.
    bearer: "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey",
  },
};

/** TokenType URIs (WSS SAML Token Profile 1.1 §3.6; RFC 8693 §3 for JWT). */
export const TOKEN_TYPES = {
  saml2: "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
  saml1: "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
};

const { wsa: WSA, wsse: WSSE, wsu: WSU, wsp: WSP } = NS;
const PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";

/** xs:dateTime in UTC with millisecond precision, as WCF writes it. */
const iso = (d) => d.toISOString();

/**
 * Builds a WS-Trust request message: Issue (with AppliesTo), or Validate / Renew / Cancel
 * (with the token inside wst:ValidateTarget / RenewTarget / CancelTarget).
 * @param {{ to: string, username: string, password: string, appliesTo?: string,
 *   tokenType?: "saml2"|"saml1"|"jwt"|"status"|string, soap?: "1.1"|"1.2", trust?: "13"|"2005",
 *   requestType?: "Issue"|"Validate"|"Renew"|"Cancel", target?: string,
 *   now?: Date, ttlSeconds?: number, messageId?: string, doctype?: boolean,
 *   keyType?: "bearer"|"symmetric"|"public-key", entropy?: Buffer, keySize?: number, useKey?: string }} o
 *   `tokenType` may be a key of TOKEN_TYPES, "status" (Validate), or a full URI; `target` is
 *   the token XML (SAML assertion or wsse:BinarySecurityToken); `doctype` prepends a DOCTYPE
 *   (negative tests only).
 * @returns {{ body: string, headers: Record<string,string>, action: string, messageId: string }}
 */
export function buildTrustRequest(o) {
  const soap = o.soap ?? "1.2";
  const trust = TRUST[o.trust ?? "13"];
  if (!SOAP_NS[soap]) throw new Error(`unsupported SOAP version ${soap}`);
  if (!trust) throw new Error(`unsupported WS-Trust version ${o.trust}`);
  const op = o.requestType ?? "Issue";
  const action = `${trust.ns}/RST/${op}`;
  const now = o.now ?? new Date();
  const expires = new Date(now.getTime() + (o.ttlSeconds ?? 300) * 1000);
  const messageId = o.messageId ?? `urn:uuid:${crypto.randomUUID()}`;
  const tokenType =
    o.tokenType === "status" ? `${trust.ns}/RSTR/Status` : o.tokenType ? (TOKEN_TYPES[o.tokenType] ?? o.tokenType) : undefined;
  // SOAP 1.1 §4.2.3 wants "1", SOAP 1.2 Part 1 §5.2.3 wants xs:boolean — "1" is valid in both.
  const mu = `s:mustUnderstand="1"`;
  const appliesTo = o.appliesTo
    ? `
      <wsp:AppliesTo xmlns:wsp="${WSP}">
        <a:EndpointReference><a:Address>${esc(o.appliesTo)}</a:Address></a:EndpointReference>
      </wsp:AppliesTo>`
    : "";
  const keyTypeUri = { symmetric: `${trust.ns}/SymmetricKey`, "public-key": `${trust.ns}/PublicKey` }[o.keyType ?? "bearer"] ?? trust.bearer;
  const keyType = op === "Issue" ? `
      <trust:KeyType>${keyTypeUri}</trust:KeyType>${proofKeyRequestXml(trust.ns, o)}` : "";
  const target = o.target !== undefined ? `
      <trust:${op}Target>${o.target}</trust:${op}Target>` : "";
  const claims = o.claims ? `
      ${claimsXml(o.claims)}` : "";
  const body = `${o.doctype ? '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE s:Envelope [<!ENTITY x "x">]>' : ""}<s:Envelope xmlns:s="${SOAP_NS[soap]}" xmlns:a="${WSA}" xmlns:u="${WSU}">
  <s:Header>
    <a:Action ${mu}>${esc(action)}</a:Action>
    <a:MessageID>${esc(messageId)}</a:MessageID>
    <a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>
    <a:To ${mu}>${esc(o.to)}</a:To>
    <o:Security ${mu} xmlns:o="${WSSE}">
      <u:Timestamp u:Id="_0">
        <u:Created>${iso(now)}</u:Created>
        <u:Expires>${iso(expires)}</u:Expires>
      </u:Timestamp>
      <o:UsernameToken u:Id="uuid-${crypto.randomUUID()}-1">
        <o:Username>${esc(o.username)}</o:Username>
        <o:Password Type="${PASSWORD_TEXT}">${esc(o.password)}</o:Password>
      </o:UsernameToken>
    </o:Security>
  </s:Header>
  <s:Body>
    <trust:RequestSecurityToken xmlns:trust="${trust.ns}">${appliesTo}${keyType}
      <trust:RequestType>${trust.ns}/${op}</trust:RequestType>${tokenType ? `
      <trust:TokenType>${esc(tokenType)}</trust:TokenType>` : ""}${target}${claims}
    </trust:RequestSecurityToken>
  </s:Body>
</s:Envelope>`;
  return { body, headers: soapHeaders(soap, action), action, messageId };
}

/**
 * wst:Claims (WS-Trust 1.3 §4.1): in the identity dialect (`ic:ClaimType Uri Optional`), or —
 * when any claim names a value — the WS-Federation authorization dialect (`auth:Value`).
 * @param {{ uri: string, optional?: boolean, value?: string }[]} claims
 */
export function claimsXml(claims) {
  const IC = "http://schemas.xmlsoap.org/ws/2005/05/identity";
  const AUTH = "http://docs.oasis-open.org/wsfed/authorization/200706";
  const auth = claims.some((c) => c.value !== undefined);
  const types = claims.map((c) => {
    const opt = c.optional === undefined ? "" : ` Optional="${c.optional}"`;
    return auth
      ? `<auth:ClaimType Uri="${esc(c.uri)}"${opt}>${c.value === undefined ? "" : `<auth:Value>${esc(c.value)}</auth:Value>`}</auth:ClaimType>`
      : `<ic:ClaimType Uri="${esc(c.uri)}"${opt}/>`;
  });
  return auth
    ? `<trust:Claims Dialect="${AUTH}" xmlns:auth="${AUTH}">${types.join("")}</trust:Claims>`
    : `<trust:Claims Dialect="${IC}" xmlns:ic="${IC}">${types.join("")}</trust:Claims>`;
}

/** The Issue request (kept for callers that only issue). */
export function buildIssueRequest(o) {
  return buildTrustRequest({ ...o, requestType: "Issue" });
}

/**
 * HTTP headers for a SOAP request: SOAP 1.2 carries the action as a media-type parameter
 * (SOAP 1.2 Part 2 §7.1.4, RFC 3902); SOAP 1.1 uses the SOAPAction header (SOAP 1.1 §6.1.1).
 */
export function soapHeaders(soap, action) {
  return soap === "1.1"
    ? { "content-type": "text/xml; charset=utf-8", soapaction: `"${action}"` }
    : { "content-type": `application/soap+xml; charset=utf-8; action="${action}"` };
}

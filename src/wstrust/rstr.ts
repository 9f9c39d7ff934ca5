import type { TokenKind } from "../config/types.ts";
import type { IssuedToken } from "../engine/types.ts";
import { SAML1_KEYID_VALUETYPE, SAML2_KEYID_VALUETYPE } from "../saml/ns.ts";
import { WSA10_NS, WSSE11_NS, WSSE_NS, WSU_NS } from "../soap/ns.ts";
import { escapeAttr, escapeText } from "../xml/escape.ts";
import { type TrustNs, WSP_NS } from "./ns.ts";
import { JWT_TOKEN_TYPE, TOKEN_TYPE_URI } from "./token-types.ts";

const BASE64_BINARY =
  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/** A SecurityTokenReference to a SAML assertion by ID (WSS SAML Token Profile 1.1 §3.4). */
function samlReference(kind: TokenKind, id: string): string {
  const vt = kind === "saml2" ? SAML2_KEYID_VALUETYPE : SAML1_KEYID_VALUETYPE;
  return (
    `<wsse:SecurityTokenReference xmlns:wsse="${WSSE_NS}" xmlns:wsse11="${WSSE11_NS}" ` +
    `wsse11:TokenType="${TOKEN_TYPE_URI[kind]}">` +
    `<wsse:KeyIdentifier ValueType="${vt}">${escapeText(id)}</wsse:KeyIdentifier></wsse:SecurityTokenReference>`
  );
}

/** The token as it sits inside wst:RequestedSecurityToken. */
export function requestedTokenXml(tok: IssuedToken): string {
  if (tok.kind === "saml2" || tok.kind === "saml1") return tok.value;
  // A JWT travels as a BinarySecurityToken (as WIF and CXF carry JWTs in WS-Trust).
  return (
    `<wsse:BinarySecurityToken xmlns:wsse="${WSSE_NS}" ValueType="${JWT_TOKEN_TYPE}" ` +
    `EncodingType="${BASE64_BINARY}">${btoa(tok.value)}</wsse:BinarySecurityToken>`
  );
}

function lifetimeXml(created: Date, expires: Date): string {
  return (
    `<wst:Lifetime><wsu:Created xmlns:wsu="${WSU_NS}">${created.toISOString()}</wsu:Created>` +
    `<wsu:Expires xmlns:wsu="${WSU_NS}">${expires.toISOString()}</wsu:Expires></wst:Lifetime>`
  );
}

function appliesToXml(address: string): string {
  return (
    `<wsp:AppliesTo xmlns:wsp="${WSP_NS}"><wsa:EndpointReference xmlns:wsa="${WSA10_NS}">` +
    `<wsa:Address>${escapeText(address)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`
  );
}

/** One RSTR for an issued (or renewed, or transformed) token (WS-Trust 1.3 §4.4). */
export function issuedRstr(
  t: TrustNs,
  tok: IssuedToken,
  opts: { context: string | undefined; requestType: string; keyType: string | undefined },
): string {
  const ctx = opts.context !== undefined ? ` Context="${escapeAttr(opts.context)}"` : "";
  const isSaml = tok.kind === "saml2" || tok.kind === "saml1";
  const refs = isSaml
    ? `<wst:RequestedAttachedReference>${samlReference(tok.kind, tok.id)}</wst:RequestedAttachedReference>` +
      `<wst:RequestedUnattachedReference>${samlReference(tok.kind, tok.id)}</wst:RequestedUnattachedReference>`
    : "";
  return (
    `<wst:RequestSecurityTokenResponse xmlns:wst="${t.ns}"${ctx}>` +
    `<wst:TokenType>${TOKEN_TYPE_URI[tok.kind]}</wst:TokenType>` +
    `<wst:RequestType>${escapeText(opts.requestType)}</wst:RequestType>` +
    lifetimeXml(tok.notBefore, tok.expires) +
    appliesToXml(tok.audience) +
    `<wst:RequestedSecurityToken>${requestedTokenXml(tok)}</wst:RequestedSecurityToken>` +
    refs +
    (opts.keyType ? `<wst:KeyType>${escapeText(opts.keyType)}</wst:KeyType>` : "") +
    `</wst:RequestSecurityTokenResponse>`
  );
}

/** A Validate status RSTR (WS-Trust 1.3 §7.2): wst:Status with Code and Reason. */
export function statusRstr(t: TrustNs, context: string | undefined, valid: boolean, reason: string): string {
  const ctx = context !== undefined ? ` Context="${escapeAttr(context)}"` : "";
  return (
    `<wst:RequestSecurityTokenResponse xmlns:wst="${t.ns}"${ctx}>` +
    `<wst:TokenType>${t.statusTokenType}</wst:TokenType>` +
    `<wst:Status><wst:Code>${valid ? t.statusValid : t.statusInvalid}</wst:Code>` +
    `<wst:Reason>${escapeText(reason)}</wst:Reason></wst:Status>` +
    `</wst:RequestSecurityTokenResponse>`
  );
}

/** A Cancel RSTR (WS-Trust 1.3 §9.1): wst:RequestedTokenCancelled. */
export function cancelledRstr(t: TrustNs, context: string | undefined): string {
  const ctx = context !== undefined ? ` Context="${escapeAttr(context)}"` : "";
  return `<wst:RequestSecurityTokenResponse xmlns:wst="${t.ns}"${ctx}><wst:RequestedTokenCancelled/></wst:RequestSecurityTokenResponse>`;
}

/** Wraps RSTRs in an RSTRC (WS-Trust 1.3 always answers Issue with a collection). */
export function collection(t: TrustNs, rstrs: string[]): string {
  return `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${t.ns}">${rstrs.join("")}</wst:RequestSecurityTokenResponseCollection>`;
}

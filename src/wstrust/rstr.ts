import type { TokenKind } from "../config/types.ts";
import type { IssuedToken } from "../engine/types.ts";
import { SAML1_KEYID_VALUETYPE, SAML2_KEYID_VALUETYPE } from "../saml/ns.ts";
import { BASE64_BINARY, WSA10_NS, WSSE11_NS, WSSE_NS, WSU_NS } from "../soap/ns.ts";
import { type Markup, trustedMarkup, xml } from "../xml/markup.ts";
import { type TrustNs, WSP_NS } from "./ns.ts";
import { JWT_TOKEN_TYPE, TOKEN_TYPE_URI } from "./token-types.ts";

/** A SecurityTokenReference to a SAML assertion by ID (WSS SAML Token Profile 1.1 §3.4). */
function samlReference(kind: TokenKind, id: string): Markup {
  const vt = kind === "saml2" ? SAML2_KEYID_VALUETYPE : SAML1_KEYID_VALUETYPE;
  return xml`<wsse:SecurityTokenReference xmlns:wsse="${WSSE_NS}" xmlns:wsse11="${WSSE11_NS}" wsse11:TokenType="${TOKEN_TYPE_URI[kind]}"><wsse:KeyIdentifier ValueType="${vt}">${id}</wsse:KeyIdentifier></wsse:SecurityTokenReference>`;
}

/** The token as it sits inside wst:RequestedSecurityToken. */
export function requestedTokenXml(tok: IssuedToken): Markup {
  // A SAML assertion is embedded byte for byte: its bytes are what its signature covers. An
  // encrypted one (EncryptedAssertion, or EncryptedData for SAML 1.1) is our own writer's output.
  if (tok.kind === "saml2" || tok.kind === "saml1") return trustedMarkup(tok.encrypted ?? tok.value);
  // A JWT (or nested JWE) travels as a BinarySecurityToken (as WIF and CXF carry JWTs in WS-Trust).
  return xml`<wsse:BinarySecurityToken xmlns:wsse="${WSSE_NS}" ValueType="${JWT_TOKEN_TYPE}" EncodingType="${BASE64_BINARY}">${btoa(tok.encrypted ?? tok.value)}</wsse:BinarySecurityToken>`;
}

/** One RSTR for an issued (or renewed, or transformed) token (WS-Trust 1.3 §4.4). */
export function issuedRstr(
  t: TrustNs,
  tok: IssuedToken,
  opts: {
    context: string | undefined;
    requestType: string;
    keyType: string | undefined;
    proof?: Markup | undefined;
    /** A Validate's verdict on the presented token, which WS-Trust 1.3 §7 puts in every Validate response. */
    status?: { valid: boolean; reason: string } | undefined;
  },
): Markup {
  const isSaml = tok.kind === "saml2" || tok.kind === "saml1";
  const refs = isSaml
    ? xml`<wst:RequestedAttachedReference>${samlReference(tok.kind, tok.id)}</wst:RequestedAttachedReference><wst:RequestedUnattachedReference>${samlReference(tok.kind, tok.id)}</wst:RequestedUnattachedReference>`
    : undefined;
  return xml`<wst:RequestSecurityTokenResponse xmlns:wst="${t.ns}"${context(opts.context)}><wst:TokenType>${TOKEN_TYPE_URI[tok.kind]}</wst:TokenType><wst:RequestType>${opts.requestType}</wst:RequestType><wst:Lifetime><wsu:Created xmlns:wsu="${WSU_NS}">${tok.notBefore.toISOString()}</wsu:Created><wsu:Expires xmlns:wsu="${WSU_NS}">${tok.expires.toISOString()}</wsu:Expires></wst:Lifetime><wsp:AppliesTo xmlns:wsp="${WSP_NS}"><wsa:EndpointReference xmlns:wsa="${WSA10_NS}"><wsa:Address>${tok.audience}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><wst:RequestedSecurityToken>${requestedTokenXml(tok)}</wst:RequestedSecurityToken>${refs}${opts.proof}${opts.keyType ? xml`<wst:KeyType>${opts.keyType}</wst:KeyType>` : undefined}${opts.status ? status(t, opts.status.valid, opts.status.reason) : undefined}</wst:RequestSecurityTokenResponse>`;
}

/** The RSTR's Context attribute, echoing the request's (WS-Trust 1.3 §4.4). */
export function context(value: string | undefined): Markup | undefined {
  return value === undefined ? undefined : xml` Context="${value}"`;
}

/** wst:Status (WS-Trust 1.3 §7): the version's valid or invalid Code, and a Reason. */
function status(t: TrustNs, valid: boolean, reason: string): Markup {
  return xml`<wst:Status><wst:Code>${valid ? t.statusValid : t.statusInvalid}</wst:Code><wst:Reason>${reason}</wst:Reason></wst:Status>`;
}

/** A Validate status RSTR (WS-Trust 1.3 §7.2): wst:Status with Code and Reason. */
export function statusRstr(t: TrustNs, ctx: string | undefined, valid: boolean, reason: string): Markup {
  return xml`<wst:RequestSecurityTokenResponse xmlns:wst="${t.ns}"${context(ctx)}><wst:TokenType>${t.statusTokenType}</wst:TokenType>${status(t, valid, reason)}</wst:RequestSecurityTokenResponse>`;
}

/** A Cancel RSTR (WS-Trust 1.3 §9.1): wst:RequestedTokenCancelled. */
export function cancelledRstr(t: TrustNs, ctx: string | undefined): Markup {
  return xml`<wst:RequestSecurityTokenResponse xmlns:wst="${t.ns}"${context(ctx)}><wst:RequestedTokenCancelled/></wst:RequestSecurityTokenResponse>`;
}

/** Wraps RSTRs in an RSTRC (WS-Trust 1.3 always answers Issue with a collection). */
export function collection(t: TrustNs, rstrs: readonly Markup[]): Markup {
  return xml`<wst:RequestSecurityTokenResponseCollection xmlns:wst="${t.ns}">${rstrs}</wst:RequestSecurityTokenResponseCollection>`;
}

import type { Element } from "@xmldom/xmldom";
import { invalidRequest } from "../errors.ts";
import { ENCRYPTED_TOKEN_REFUSAL, type PresentedToken, isEncryptedToken } from "../engine/verify-own.ts";
import { SAML1_NS, SAML2_NS } from "../saml/ns.ts";
import { BASE64_BINARY, WSSE_NS, X509V3, X509_PKI_PATH } from "../soap/ns.ts";
import type { PresentedCertificate } from "../engine/types.ts";
import { collapse } from "../xml/xs.ts";
import { JWT_TOKEN_TYPE } from "./token-types.ts";

/** The RST element a presented token stands in, named as refusals name it. */
export type TokenPlace = "wst:ValidateTarget" | "wst:RenewTarget" | "wst:CancelTarget" | "wst:OnBehalfOf" | "wst14:ActAs";

/**
 * The token inside `place` (the request's ValidateTarget / RenewTarget / CancelTarget, or its
 * OnBehalfOf / ActAs evidence): a SAML assertion, or a JWT in a wsse:BinarySecurityToken.
 * References (SecurityTokenReference) are not accepted: the STS keeps no copy of issued tokens,
 * so the token itself must be sent. Refusals name `place`, so a Renew that sent its token in a
 * ValidateTarget is told where the token goes.
 */
export function presentedFromTarget(el: Element | undefined, place: TokenPlace): PresentedToken {
  if (!el) throw invalidRequest(`The request must carry its token in ${place}.`);
  // As OnBehalfOf / ActAs evidence, a partner's assertion may come encrypted for this STS (the
  // engine opens it); a token to validate, renew or cancel is ours, encrypted for its relying party.
  if (isEncryptedToken(el)) {
    if (place !== "wst:OnBehalfOf" && place !== "wst14:ActAs") throw invalidRequest(ENCRYPTED_TOKEN_REFUSAL);
    return { xml: el };
  }
  if (el.localName === "Assertion" && (el.namespaceURI === SAML2_NS || el.namespaceURI === SAML1_NS)) return { xml: el };
  if (isCertificateToken(el)) throw invalidRequest(CERTIFICATE_ONLY_VALIDATED);
  if (el.localName === "BinarySecurityToken" && el.namespaceURI === WSSE_NS) {
    if (!holdsJwt(el)) throw invalidRequest("Unsupported BinarySecurityToken ValueType.");
    requireBase64Binary(el);
    const jwt = bstText(el) ?? invalidBase64();
    if (isEncryptedToken(jwt)) throw invalidRequest(ENCRYPTED_TOKEN_REFUSAL);
    if (jwtSentTwice(el, jwt)) {
      throw invalidRequest(`The JWT in ${place} appears more than once in the message (the same token sent twice, or a copy of it): send each token once.`);
    }
    return { jwt };
  }
  if (isUsernameToken(el)) {
    throw invalidRequest("A UsernameToken can be validated, or presented as OnBehalfOf or ActAs; it cannot be renewed or cancelled.");
  }
  if (el.localName === "SecurityTokenReference") {
    throw invalidRequest(`Token references are not supported: send the token itself in ${place}.`);
  }
  throw invalidRequest(`Unsupported token '${(el.localName ?? "").slice(0, 200)}' in ${place}.`);
}

/**
 * Whether another JWT BinarySecurityToken of the message holds the same token: two batch items
 * naming one token. A SAML assertion sent twice is refused by its duplicate ID (verify-own.ts);
 * a JWT has no ID the message shows, so without this the first of two BatchRenew items would
 * renew it and the second, as reuse, revoke the family — the token just handed out included.
 */
function jwtSentTwice(el: Element, jwt: string): boolean {
  const all = el.ownerDocument?.getElementsByTagNameNS(WSSE_NS, "BinarySecurityToken");
  if (!all) return false;
  for (let i = 0; i < all.length; i++) {
    const other = all.item(i)!;
    if (other === el || !holdsJwt(other)) continue;
    if (bstText(other)?.trim() === jwt.trim()) return true;
  }
  return false;
}

/** A BinarySecurityToken's ValueType names a JWT; an xs:anyURI, read with whitespace collapsed, as a schema-validating peer does. */
function holdsJwt(bst: Element): boolean {
  return collapse(bst.getAttribute("ValueType") ?? "") === JWT_TOKEN_TYPE;
}

/** A BinarySecurityToken's content decoded from base64 (white space ignored), or undefined when it is no base64. */
function bstText(bst: Element): string | undefined {
  try {
    return atob((bst.textContent ?? "").replace(/\s+/g, ""));
  } catch {
    return undefined;
  }
}

function invalidBase64(): never {
  throw invalidRequest("The BinarySecurityToken is not valid base64.");
}

/** A wsse:UsernameToken: credentials, which ValidateTarget, OnBehalfOf and ActAs may carry instead of a token. */
export function isUsernameToken(el: Element): boolean {
  return el.localName === "UsernameToken" && el.namespaceURI === WSSE_NS;
}

const CERTIFICATE_ONLY_VALIDATED =
  "An X.509 certificate can only be validated (TokenType RSTR/Status): it is public, so presenting it proves nothing about who presents it, and no token is issued for it.";

/** A wsse:BinarySecurityToken holding an X.509 v3 certificate or a certificate path (WSS X.509 Token Profile 1.1 §3.1). */
export function isCertificateToken(el: Element): boolean {
  if (el.localName !== "BinarySecurityToken" || el.namespaceURI !== WSSE_NS) return false;
  const valueType = collapse(el.getAttribute("ValueType") ?? "");
  return valueType === X509V3 || valueType === X509_PKI_PATH;
}

/**
 * The certificate in a ValidateTarget, for a status answer: does this STS trust it (as a service
 * forwards the certificate its caller authenticated with, Apache CXF's STSTokenValidator among
 * them)? Anywhere else `presentedFromTarget` refuses it with the reason. A ValidateTarget holds
 * one token, so a certificate issued through intermediates comes as an X509PKIPathv1 token
 * (WSS4J writes one from a certificate chain), the intermediates in it.
 */
export function presentedCertificate(el: Element): PresentedCertificate {
  requireBase64Binary(el);
  const base64 = (el.textContent ?? "").replace(/[ \t\r\n]+/g, "");
  if (base64 === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw invalidRequest("The BinarySecurityToken does not hold base64 data.");
  return { certificate: { base64, path: collapse(el.getAttribute("ValueType") ?? "") === X509_PKI_PATH } };
}

/**
 * A BinarySecurityToken's EncodingType, when present, must be Base64Binary (WS-Security 1.1
 * §6.3), the only encoding read here: a HexBinary token read as base64 would be garbage, and
 * the answer would blame the token instead of its encoding.
 */
function requireBase64Binary(el: Element): void {
  const encoding = el.getAttribute("EncodingType");
  if (encoding !== null && collapse(encoding) !== BASE64_BINARY) throw invalidRequest("The BinarySecurityToken must be Base64Binary.");
}

/**
 * Turning a token string from an OAuth request into something a verifier can check: a compact
 * JWT, or a SAML assertion carried base64url-encoded (RFC 8693 §3: "the value ... is the
 * base64url-encoded SAML ... assertion"), parsed with the configured XML limits.
 */
import type { Element } from "@xmldom/xmldom";
import { fromBase64Url, toBase64Url, utf8 } from "../bytes.ts";
import { invalidToken } from "../errors.ts";
import type { StsContext } from "../engine/types.ts";
import { isSamlAssertion } from "../saml/ns.ts";
import { XmlSecurityError, parseXml } from "../xml/parse.ts";

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** True when `s` has the shape of a compact JWS (RFC 7515 §7.1). */
export function looksLikeJwt(s: string): boolean {
  return JWT_SHAPE.test(s);
}

/** Encodes bytes or UTF-8 text as base64url without padding (how we return SAML tokens). */
export function encodeBase64Url(data: Uint8Array | string): string {
  return toBase64Url(typeof data === "string" ? utf8(data) : data);
}

/**
 * Decodes and safely parses a base64url SAML token into its root element.
 * @param param the request parameter the token came in ("subject_token", "actor_token",
 *   "token"), named in the refusal so the client knows which of its tokens to fix
 * @throws StsError invalid_token when it is not base64url or not acceptable XML
 */
export function samlElement(ctx: StsContext, value: string, param: string): Element {
  // Standard base64 and padding are tolerated too: several clients send them for SAML tokens.
  const bytes = fromBase64Url(value.trim());
  if (!bytes) throw invalidToken(`The ${param} is not base64url-encoded, as a SAML token must be (RFC 8693 §3).`);
  const l = ctx.config.limits;
  try {
    const doc = parseXml(bytes, {
      maxBytes: l.maxBodyBytes,
      maxDepth: l.maxXmlDepth,
      maxElements: l.maxXmlElements,
      maxAttributesPerElement: l.maxXmlAttributesPerElement,
      keepSource: isSamlAssertion, // lets a presented assertion be recognised as verified before
    });
    return doc.documentElement as Element;
  } catch (e) {
    if (e instanceof XmlSecurityError) throw invalidToken(`The ${param} is not acceptable XML: ${e.message}`);
    throw e;
  }
}

/**
 * A token handed to introspection or revocation, in whichever form it came: a compact JWT, or
 * a base64url SAML assertion. Undefined when it is neither (those tokens are simply inactive).
 */
export function presentedOwn(ctx: StsContext, token: string): { jwt: string } | { xml: Element } | undefined {
  const t = token.trim();
  if (looksLikeJwt(t)) return { jwt: t };
  try {
    return { xml: samlElement(ctx, t, "token") };
  } catch {
    return undefined;
  }
}

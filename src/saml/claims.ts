/** Claim names in SAML attributes; the claim-type table itself is src/token/claim-types.ts. */
import { isXsName } from "../xml/xs.ts";
import { ATTRNAME_FORMAT_BASIC, ATTRNAME_FORMAT_UNSPECIFIED, ATTRNAME_FORMAT_URI } from "./ns.ts";

export { CLAIM_TYPES, type ClaimType, claimName, claimUri, isUriName } from "../token/claim-types.ts";

/** RFC 3986 §3 and §2: a scheme, then only URI characters and well-formed percent-escapes. */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})+$/;

/**
 * Whether a claim name is an absolute URI (RFC 3986 §4.3): what a claim type is, in a SAML
 * attribute of NameFormat `uri` and in federation metadata's ClaimTypesOffered alike.
 */
export function isAbsoluteUri(name: string): boolean {
  return ABSOLUTE_URI.test(name);
}

/**
 * The SAML 2.0 NameFormat for an attribute name (SAML 2.0 core §8.2): `uri` only for a name that
 * is an absolute URI, `basic` only for an xs:Name (§8.2.2), `unspecified` for any other name (a
 * claim named with a space, or a scheme followed by characters no URI holds), so that no relying
 * party reads a name under a format it does not have.
 */
export function attributeNameFormat(name: string): string {
  if (isAbsoluteUri(name)) return ATTRNAME_FORMAT_URI;
  return isXsName(name) ? ATTRNAME_FORMAT_BASIC : ATTRNAME_FORMAT_UNSPECIFIED;
}

/** The SAML 1.1 AttributeNamespace of a claim whose name is no URI to split. */
const OWN_ATTRIBUTE_NAMESPACE = "urn:edge-sts:claims";
const OWN_PREFIX = `${OWN_ATTRIBUTE_NAMESPACE}/`;

/**
 * Splits a claim URI into SAML 1.1 AttributeNamespace and AttributeName (at the last '/'). The
 * namespace is an xs:anyURI (SAML 1.1 core §2.4.4.1): a name whose part before the last '/' is
 * no absolute URI (`x y/z`, `a<b/c`) goes whole into AttributeName under our own namespace. A
 * reader joins the two with '/' (src/saml/parse.ts), so such a name reads back as
 * `urn:edge-sts:claims/<name>`, and that name is written as it was read: a renewed token states
 * the attribute its original stated.
 */
export function saml11AttributeParts(uri: string): { namespace: string; name: string } {
  if (uri.startsWith(OWN_PREFIX) && uri.length > OWN_PREFIX.length) return { namespace: OWN_ATTRIBUTE_NAMESPACE, name: uri.slice(OWN_PREFIX.length) };
  const i = uri.lastIndexOf("/");
  return i > 0 && i < uri.length - 1 && isAbsoluteUri(uri.slice(0, i))
    ? { namespace: uri.slice(0, i), name: uri.slice(i + 1) }
    : { namespace: OWN_ATTRIBUTE_NAMESPACE, name: uri };
}

/** SAML namespaces and URIs (SAML 2.0 core, SAML 1.1 core, WSS SAML Token Profile 1.1). */
export const SAML2_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
export const SAML1_NS = "urn:oasis:names:tc:SAML:1.0:assertion";

/** A SAML 2.0 or 1.x assertion: the elements whose source the parser keeps (src/xml/tree.ts). */
export const isSamlAssertion = (ns: string | null, localName: string): boolean =>
  localName === "Assertion" && (ns === SAML2_NS || ns === SAML1_NS);
export const SAML2_TOKEN_TYPE = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0";
export const SAML1_TOKEN_TYPE = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1";
/** WSS SAML Token Profile 1.1 §3.4.2: KeyIdentifier ValueTypes for references to assertions. */
export const SAML2_KEYID_VALUETYPE = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID";
export const SAML1_KEYID_VALUETYPE = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID";
export const SAML2_BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
export const SAML1_BEARER = "urn:oasis:names:tc:SAML:1.0:cm:bearer";
/** SAML 2.0 profiles §3.1 / SAML 1.1 core §7.1: the holder-of-key confirmation methods. */
export const SAML2_HOLDER_OF_KEY = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key";
export const SAML1_HOLDER_OF_KEY = "urn:oasis:names:tc:SAML:1.0:cm:holder-of-key";
/**
 * The SAML 1.1 AttributeNamespace with which Shibboleth identity providers (their SAML 1 attribute
 * encoders' default) say the AttributeName is the attribute's whole name, a URI such as
 * `urn:oid:0.9.2342.19200300.100.1.3`: the name their SAML 2.0 assertions state with NameFormat uri.
 */
export const SHIBBOLETH_URI_ATTRIBUTE_NAMESPACE = "urn:mace:shibboleth:1.0:attributeNamespace:uri";
export const NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
export const ATTRNAME_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
export const ATTRNAME_FORMAT_BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";
export const ATTRNAME_FORMAT_UNSPECIFIED = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified";
export const AC_PASSWORD_PROTECTED_TRANSPORT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
/** SAML 2.0 Authentication Context §3.4.25: the principal proved a key bound to an X.509 certificate. */
export const AC_X509 = "urn:oasis:names:tc:SAML:2.0:ac:classes:X509";
/** SAML 2.0 Authentication Context §3.4.26 and SAML 1.1 core §7.1: how the subject authenticated is not known. */
export const AC_UNSPECIFIED = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified";
export const SAML1_AUTH_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.0:am:unspecified";
export const SAML2_METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata";

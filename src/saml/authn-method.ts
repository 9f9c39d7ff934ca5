/**
 * How the subject authenticated, in each SAML version's own vocabulary: SAML 2.0 states an
 * authentication context class (SAML 2.0 Authentication Context §3.4), SAML 1.1 an
 * authentication method (SAML 1.1 core §7.1). A method reaches an assertion from our own
 * sign-in (a 2.0 class), from a partner's token (a 2.0 class, a 1.1 method or an AD FS URI such
 * as `urn:federation:authentication:windows`) or from a token that states none (a JWT): each
 * format gets a value of its own vocabulary, never the other version's, and a method nobody
 * stated is `unspecified`, never a password that was not proved.
 */
import { isAbsoluteUri } from "./claims.ts";
import { AC_UNSPECIFIED, SAML1_AUTH_UNSPECIFIED } from "./ns.ts";

const AC = "urn:oasis:names:tc:SAML:2.0:ac:classes:";
const AM = "urn:oasis:names:tc:SAML:1.0:am:";

/** SAML 1.1 core §7.1 method → the SAML 2.0 class that states the same proof. */
const CLASS_OF_METHOD: ReadonlyMap<string, string> = new Map([
  [`${AM}password`, `${AC}Password`],
  ["urn:ietf:rfc:1510", `${AC}Kerberos`],
  ["urn:ietf:rfc:2945", `${AC}SecureRemotePassword`],
  ["urn:ietf:rfc:2246", `${AC}TLSClient`],
  [`${AM}X509-PKI`, `${AC}X509`],
  [`${AM}PGP`, `${AC}PGP`],
  [`${AM}SPKI`, `${AC}SPKI`],
  ["urn:ietf:rfc:3075", `${AC}XMLDSig`],
  [`${AM}HardwareToken`, AC_UNSPECIFIED],
  [SAML1_AUTH_UNSPECIFIED, AC_UNSPECIFIED],
]);

/** SAML 2.0 class → SAML 1.1 method; a 2.0 class not listed has no 1.1 method and is `unspecified`. */
const METHOD_OF_CLASS: ReadonlyMap<string, string> = new Map([
  [`${AC}Password`, `${AM}password`],
  [`${AC}PasswordProtectedTransport`, `${AM}password`],
  [`${AC}Kerberos`, "urn:ietf:rfc:1510"],
  [`${AC}SecureRemotePassword`, "urn:ietf:rfc:2945"],
  [`${AC}TLSClient`, "urn:ietf:rfc:2246"],
  [`${AC}X509`, `${AM}X509-PKI`],
  [`${AC}PGP`, `${AM}PGP`],
  [`${AC}SPKI`, `${AM}SPKI`],
  [`${AC}XMLDSig`, "urn:ietf:rfc:3075"],
]);

/** The `AuthnContextClassRef` (xs:anyURI) a SAML 2.0 assertion states for `method`. */
export function saml2AuthnClass(method: string): string {
  const mapped = CLASS_OF_METHOD.get(method);
  if (mapped) return mapped;
  if (method.startsWith(AM) || !isAbsoluteUri(method)) return AC_UNSPECIFIED;
  return method;
}

/** The `AuthenticationMethod` (xs:anyURI) a SAML 1.1 assertion states for `method`. */
export function saml1AuthnMethod(method: string): string {
  if (method.startsWith(AC)) return METHOD_OF_CLASS.get(method) ?? SAML1_AUTH_UNSPECIFIED;
  if (CLASS_OF_METHOD.has(method)) return method;
  if (method.startsWith(AM) || !isAbsoluteUri(method)) return SAML1_AUTH_UNSPECIFIED;
  return method;
}

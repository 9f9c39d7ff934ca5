/**
 * RFC 8693 §2.1 subject_token / actor_token: decodes the wire form named by its token type (a
 * compact JWT, or a base64url SAML assertion, §3) into a token the engine verifies.
 */
import { invalidRequest, invalidToken } from "../errors.ts";
import type { StsContext } from "../engine/types.ts";
import { ENCRYPTED_TOKEN_REFUSAL, type PresentedToken, isEncryptedToken } from "../engine/verify-own.ts";
import { SAML1_NS, SAML2_NS } from "../saml/ns.ts";
import { looksLikeJwt, samlElement } from "./presented.ts";
import { TT_PREFIX, presentedType } from "./token-types.ts";

/**
 * A presented token of the given RFC 8693 type, decoded (not yet verified).
 * @param role the parameter name, for messages ("subject_token" / "actor_token")
 * @throws StsError invalid_request (unsupported type) or invalid_token (not of its type)
 */
export function presentedToken(ctx: StsContext, raw: string, typeUri: string, role: "subject_token" | "actor_token"): PresentedToken {
  // White space around a token is transport, not token (no compact JWS or base64url holds any):
  // `curl --data-urlencode subject_token@token.jwt` sends the file's final newline. Introspection
  // and revocation take the same value (presented.ts `presentedOwn`).
  const value = raw.trim();
  const type = presentedType(typeUri);
  if (!type) throw invalidRequest(`The ${role}_type is not supported.`);
  if (type === "saml2" || type === "saml1") {
    const el = samlElement(ctx, value, role);
    // A partner's assertion encrypted for this STS, the engine opens it (engine/open-encrypted.ts):
    // SAML 2.0 as an EncryptedAssertion, SAML 1.1 as a bare EncryptedData (as AD FS sends it).
    if (el.namespaceURI === SAML2_NS && el.localName === "EncryptedAssertion") {
      if (type !== "saml2") throw invalidToken(`An EncryptedAssertion holds a SAML 2.0 assertion: send it as ${role}_type ${TT_PREFIX}saml2.`);
      return { xml: el };
    }
    if (isEncryptedToken(el)) return { xml: el, saml: type };
    if (el.localName !== "Assertion" || el.namespaceURI !== (type === "saml2" ? SAML2_NS : SAML1_NS)) {
      throw invalidToken(`The ${role} is not a ${type === "saml2" ? "SAML 2.0" : "SAML 1.1"} assertion.`);
    }
    return { xml: el };
  }
  if (isEncryptedToken(value)) throw invalidToken(ENCRYPTED_TOKEN_REFUSAL);
  if (!looksLikeJwt(value)) throw invalidToken(`The ${role} is not a compact JWT.`);
  return { jwt: value };
}

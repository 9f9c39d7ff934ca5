/**
 * RFC 8693 §2.1 subject_token / actor_token: decodes the wire form named by its token type
 * (a compact JWT, or a base64url SAML assertion, §3) and hands it to the engine's evidence
 * verification (src/engine/presented-party.ts).
 */
import { invalidRequest, invalidToken } from "../engine/errors.ts";
import { type PresentedParty, partyFromJwt, partyFromSaml } from "../engine/presented-party.ts";
import type { StsContext } from "../engine/types.ts";
import { SAML1_NS, SAML2_NS } from "../saml/ns.ts";
import type { StateClient } from "../state/client.ts";
import { looksLikeJwt, samlElement } from "./presented.ts";
import { presentedType } from "./token-types.ts";

export type { MayAct, PresentedParty } from "../engine/presented-party.ts";

/**
 * Verifies a presented token of the given RFC 8693 type and returns the party it names.
 * @param role the parameter name, for messages ("subject_token" / "actor_token")
 * @throws StsError invalid_request (unsupported type) or invalid_token (anything else wrong)
 */
export async function readPresentedToken(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  value: string,
  typeUri: string,
  role: "subject_token" | "actor_token",
): Promise<PresentedParty> {
  const type = presentedType(typeUri);
  if (!type) throw invalidRequest(`The ${role}_type is not supported.`);
  if (type === "saml2" || type === "saml1") {
    const el = samlElement(ctx, value);
    if (el.localName !== "Assertion" || el.namespaceURI !== (type === "saml2" ? SAML2_NS : SAML1_NS)) {
      throw invalidToken(`The ${role} is not a ${type === "saml2" ? "SAML 2.0" : "SAML 1.1"} assertion.`);
    }
    return partyFromSaml(ctx, state, el, role);
  }
  if (!looksLikeJwt(value)) throw invalidToken(`The ${role} is not a compact JWT.`);
  return partyFromJwt(ctx, state, value, role);
}

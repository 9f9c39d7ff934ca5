import type { StateClient } from "../state/client.ts";
import { authorize } from "./authorize.ts";
import { invalidToken } from "../errors.ts";
import type { DerivationLimits } from "./lifetime.ts";
import { type PresentedParty, presentedParty } from "./presented-party.ts";
import { type Actor, type Identity, type Requestor, type StsContext, requestorName } from "./types.ts";
import type { PresentedToken } from "./verify-own.ts";

/**
 * Who a delegated WS-Trust request is for (OnBehalfOf / ActAs), protocol-free.
 * - `impersonation` (OnBehalfOf): the token is issued to the presented party, no actor;
 * - `delegation` (ActAs): the token names the presented party as subject and the requestor
 *   as actor, keeping any earlier chain (as RFC 8693 §4.1 `act`).
 * The presented token is verified like an exchange subject token: ours (with the one
 * revocation check) or a trusted issuer's. Who may ask is the authorization rule's answer.
 * @param target the relying party's identifier
 */
export async function delegatedParty(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  who: Requestor,
  presented: PresentedToken,
  mode: "impersonation" | "delegation",
  target: string,
): Promise<{ identity: Identity; actor: Actor | undefined; passesOn: DerivationLimits }> {
  const party = await presentedParty(ctx, state, presented, mode === "delegation" ? "ActAs token" : "OnBehalfOf token");
  const requestor = requestorName(who);
  const namedByMayAct = party.mayAct?.sub === requestor && (party.mayAct.iss === undefined || party.mayAct.iss === ctx.issuer);
  authorize(who, { route: mode === "delegation" ? "act-as" : "on-behalf-of", subject: party.identity.subject, relyingParty: target, namedByMayAct });
  if (mode === "impersonation") return { identity: party.identity, actor: party.act, passesOn: party.passesOn };
  return { identity: party.identity, actor: { sub: requestor, ...(party.act ? { act: party.act } : {}) }, passesOn: party.passesOn };
}

/**
 * The actor chain of a token exchange with an actor token (RFC 8693 §1.1, §4.1, §4.4): a subject
 * token's `may_act` names who may act for its subject; the new `act` nests the earlier chain,
 * `{ sub: actor, act: subject.act }`. Whether the client may present this actor at all is the
 * authorization rule's answer, asked before.
 */
export function exchangeActor(subject: PresentedParty, actor: PresentedParty): Actor {
  const sub = actor.identity.subject;
  if (subject.mayAct) {
    const m = subject.mayAct;
    if (m.sub !== sub || (m.iss !== undefined && m.iss !== actor.issuer)) {
      throw invalidToken("The subject token's may_act does not allow this actor.");
    }
  }
  return { sub, ...(actor.own ? {} : { iss: actor.issuer }), ...(subject.act ? { act: subject.act } : {}) };
}

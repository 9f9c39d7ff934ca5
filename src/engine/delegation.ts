import type { RelyingParty } from "../config/types.ts";
import type { StateClient } from "../state/client.ts";
import { authorize } from "./authorize.ts";
import { invalidToken } from "../errors.ts";
import { type DerivationLimits, NO_DERIVATION_LIMITS } from "./lifetime.ts";
import { requireSameSector } from "./pairwise.ts";
import { requireKeyProof } from "./key-proof.ts";
import type { PresentedParty } from "./party.ts";
import { presentedParty } from "./presented-party.ts";
import { type Actor, type Identity, type MayAct, type PresentedCredentials, type Requestor, type StsContext, requestorName } from "./types.ts";
import type { PresentedToken } from "./verify-own.ts";

/**
 * Who a delegated WS-Trust request is for (OnBehalfOf / ActAs), protocol-free.
 * - `impersonation` (OnBehalfOf): the token is issued to the presented party, no actor; it
 *   keeps the presented token's `may_act` (RFC 8693 §4.4), as an exchange without an actor does;
 * - `delegation` (ActAs): the token names the presented party as subject and the requestor
 *   as actor, keeping any earlier chain (as RFC 8693 §4.1 `act`).
 * The presented token is verified like an exchange subject token: ours (with the one
 * revocation check) or a trusted issuer's; presented credentials sign their user in, once the
 * rule has allowed the requestor to ask for that user. Who may ask is the authorization rule's
 * answer; a pairwise token is presented only for a relying party of its sector
 * (pairwise.ts `sectorRefusal`).
 * @param target the relying party the token is for
 */
export async function delegatedParty(
  ctx: StsContext,
  state: Pick<StateClient, "status" | "rememberNonce">,
  who: Requestor,
  presented: PresentedToken | PresentedCredentials,
  mode: "impersonation" | "delegation",
  target: RelyingParty,
): Promise<{ identity: Identity; actor: Actor | undefined; mayAct: MayAct | undefined; passesOn: DerivationLimits; scopeCeiling: string[] | undefined }> {
  const requestor = requestorName(who);
  if ("credentials" in presented) {
    const { username, authenticate } = presented.credentials;
    authorize(who, { route: mode === "delegation" ? "act-as" : "on-behalf-of", subject: username, relyingParty: target.identifier });
    const identity = await authenticate();
    return { identity, actor: mode === "delegation" ? { sub: requestor } : undefined, mayAct: undefined, passesOn: NO_DERIVATION_LIMITS, scopeCeiling: undefined };
  }
  const what = mode === "delegation" ? "ActAs token" : "OnBehalfOf token";
  const party = await presentedParty(ctx, state, presented, what);
  await requireKeyProof(party.confirmation, null, what);
  // A `may_act` grants only from a source allowed to grant (a trusted issuer configured to),
  // and names parties by our names: another issuer's `bob` is not our bob.
  const namedByMayAct = party.grantsDelegation && party.mayAct?.name !== undefined && party.mayAct.name === requestor;
  authorize(who, { route: mode === "delegation" ? "act-as" : "on-behalf-of", subject: party.identity.subject, relyingParty: target.identifier, namedByMayAct });
  requireSameSector(party.pairwise, target, what);
  const passesOn = party.passesOn;
  const scopeCeiling = party.scope;
  if (mode === "impersonation") return { identity: party.identity, actor: party.act, mayAct: party.mayAct, passesOn, scopeCeiling };
  return { identity: party.identity, actor: { sub: requestor, ...(party.act ? { act: party.act } : {}) }, mayAct: undefined, passesOn, scopeCeiling };
}

/**
 * The actor chain of a token exchange with an actor token (RFC 8693 §1.1, §4.1, §4.4): a subject
 * token's `may_act`, from whichever issuer, restricts who may act for its subject (here it
 * narrows, never grants: the grant is the client's allowed actors); the new `act` nests the
 * earlier chain, `{ sub: actor, act: subject.act }`. Whether the client may present this actor
 * at all is the authorization rule's answer, asked before. An actor token that is itself
 * delegated (it carries `act`) is refused rather than stripped of the party that acts through it.
 */
export function exchangeActor(subject: PresentedParty, actor: PresentedParty): Actor {
  if (subject.mayAct && subject.mayAct.name !== actor.identity.subject) {
    throw invalidToken("The subject token's may_act does not allow this actor.");
  }
  // A token whose holder acts for someone else names that someone as its subject: as an actor
  // token it would make the one who really acts vanish from the new chain.
  if (actor.act) {
    throw invalidToken("The actor_token is itself a delegated token (it names an actor): present the acting party's own token.");
  }
  return { ...actor.asActor, ...(subject.act ? { act: subject.act } : {}) };
}

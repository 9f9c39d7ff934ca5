import type { RelyingParty, TokenKind } from "../config/types.ts";
import type { StateClient } from "../state/client.ts";
import { authorize } from "./authorize.ts";
import { exchangeActor } from "./delegation.ts";
import { invalidScope, scopeRefused } from "../errors.ts";
import { issueToken } from "./issuance.ts";
import { requireSameSector } from "./pairwise.ts";
import { requireKeyProof } from "./key-proof.ts";
import { presentedParty } from "./presented-party.ts";
import { lookupRelyingParty } from "./relying-party.ts";
import type { IssuedToken, Requestor, StsContext } from "./types.ts";
import type { PresentedToken } from "./verify-own.ts";

export interface ExchangeRequest {
  /** The subject token (RFC 8693 §2.1), decoded from its wire form. */
  subject: PresentedToken;
  /** The actor token, when the client acts for the subject. */
  actor?: PresentedToken | undefined;
  /** Every `audience` and `resource` value sent; each must name the same relying party. */
  targets: string[];
  tokenType?: TokenKind | undefined;
  /** Requested scopes; they only narrow what the relying party allows. */
  scope?: string[] | undefined;
  /**
   * The thumbprint of the key behind a verified DPoP proof (RFC 9449): the issued token is bound
   * to it, and a bound subject or actor token must be bound to the same key.
   */
  dpop?: { jkt: string } | undefined;
}

/**
 * Token exchange (RFC 8693): a client presents a subject token (and perhaps an actor token) and
 * obtains a token for a relying party it is allowed, naming the subject — and the actor chain,
 * when there is one. Each presented token makes its one revocation check; a pairwise one is
 * exchanged only within its sector (pairwise.ts `sectorRefusal`).
 */
export async function exchange(ctx: StsContext, state: Pick<StateClient, "status" | "rememberNonce">, who: Requestor, req: ExchangeRequest): Promise<IssuedToken> {
  const rp = targetOf(ctx, who, req.targets);
  authorize(who, { route: "exchange", relyingParty: rp.identifier });
  // Scope only narrows (issuance drops what policy does not allow); a request left with nothing
  // at all is refused rather than answered with a silently scopeless token.
  if (req.scope && req.scope.length > 0 && !req.scope.some((s) => rp.scopes.includes(s))) {
    throw scopeRefused("None of the requested scopes is available for this audience.");
  }
  // Cheap checks first; the tokens (signatures, one state RPC each, and one per actor of a
  // delegated token) after.
  const subject = await presentedParty(ctx, state, req.subject, "subject_token");
  await requireKeyProof(subject.confirmation, req.dpop, "subject_token");
  requireSameSector(subject.pairwise, rp, "subject_token");
  let actor = subject.act;
  if (req.actor !== undefined) {
    const a = await presentedParty(ctx, state, req.actor, "actor_token");
    await requireKeyProof(a.confirmation, req.dpop, "actor_token");
    requireSameSector(a.pairwise, rp, "actor_token");
    authorize(who, { route: "exchange", relyingParty: rp.identifier, subject: subject.identity.subject, actor: a.identity.subject });
    actor = exchangeActor(subject, a);
  }
  return issueToken(ctx, {
    requestor: who,
    identity: subject.identity,
    appliesTo: rp.identifier,
    tokenType: req.tokenType ?? rp.defaultTokenType,
    actor,
    // RFC 8693 §4.4: the subject token's may_act restricts who may act for its subject. With
    // an actor added it has been satisfied (exchangeActor); without one it is passed on, or
    // one plain exchange would leave a token any allowed actor could be added to.
    mayAct: req.actor === undefined ? subject.mayAct : undefined,
    clientId: who.kind === "client" ? who.client.clientId : undefined,
    scope: req.scope,
    // The subject token's authentication time (in `identity`) caps the new token's end; a
    // subject token that may not be renewed is not turned into a longer-lived one either.
    notAfter: subject.passesOn.notAfter,
    notRenewable: subject.passesOn.notRenewable,
    scopeCeiling: subject.scope,
    confirmation: req.dpop && { method: "dpop", jkt: req.dpop.jkt },
  });
}

/**
 * RFC 8693 §2.1 `audience` and RFC 8707 `resource` name the target; every value must map to the
 * same relying party. No value → the client's only audience, when it has exactly one.
 */
function targetOf(ctx: StsContext, who: Requestor, targets: string[]): RelyingParty {
  const names = targets.slice();
  if (names.length === 0) {
    const only = who.kind === "client" && who.client.allowedAudiences.length === 1 ? who.client.allowedAudiences[0] : undefined;
    if (only === undefined) throw invalidScope("Name the target with audience or resource.");
    names.push(only);
  }
  let rp: RelyingParty | undefined;
  for (const n of names) {
    const found = lookupRelyingParty(ctx.config, n);
    if (!found) throw invalidScope("The requested audience or resource is not known here.");
    if (rp && rp !== found) throw invalidScope("All audience and resource values must name the same relying party.");
    rp = found;
  }
  return rp!;
}

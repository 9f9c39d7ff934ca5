import type { TokenKind } from "../config/types.ts";
import type { StateClient } from "../state/client.ts";
import type { RenewingMarks } from "../token/renewability.ts";
import { authorize } from "./authorize.ts";
import { delegatedParty } from "./delegation.ts";
import { issueToken } from "./issuance.ts";
import { type DerivationLimits, NO_DERIVATION_LIMITS } from "./lifetime.ts";
import { findRelyingParty } from "./relying-party.ts";
import type { Actor, Confirmation, Identity, IssuedToken, MayAct, PresentedCredentials, RequestedClaim, Requestor, StsContext } from "./types.ts";
import type { PresentedToken } from "./verify-own.ts";

/** An Issue request, with what its wst:Renewing asks of the token (renewability.ts). */
export interface IssueRequest extends RenewingMarks {
  /** The relying party (AppliesTo), as sent. */
  target: string;
  tokenType?: TokenKind | undefined;
  lifetime?: { created?: Date | undefined; expires?: Date | undefined } | undefined;
  /** OnBehalfOf (impersonation) or ActAs (delegation): the token, or credentials, of the party it is for. */
  delegation?: { mode: "impersonation" | "delegation"; presented: PresentedToken | PresentedCredentials } | undefined;
  /** The proof-of-possession key; undefined for a bearer token. */
  confirmation?: Confirmation | undefined;
  /** Requested claims (see `TokenRequest`). */
  requestedClaims?: RequestedClaim[] | undefined;
}

/**
 * Issue (WS-Trust 1.3 §4): the requestor asks for a token for itself, or — with a presented
 * token — for the party that token names. A plain Issue touches no state; a delegated one makes
 * the presented token's one revocation check.
 */
export async function issue(ctx: StsContext, state: Pick<StateClient, "status" | "rememberNonce">, who: Requestor, req: IssueRequest): Promise<IssuedToken> {
  const rp = findRelyingParty(ctx.config, req.target);
  let identity: Identity;
  let actor: Actor | undefined;
  let mayAct: MayAct | undefined;
  let passesOn: DerivationLimits = NO_DERIVATION_LIMITS;
  let scopeCeiling: string[] | undefined;
  if (req.delegation) {
    ({ identity, actor, mayAct, passesOn, scopeCeiling } = await delegatedParty(ctx, state, who, req.delegation.presented, req.delegation.mode, rp));
  } else {
    authorize(who, { route: "issue", relyingParty: rp.identifier });
    identity = (who as Extract<Requestor, { kind: "user" }>).identity; // the rule lets only users issue for themselves
  }
  return issueToken(ctx, {
    requestor: who,
    identity,
    actor,
    mayAct,
    appliesTo: rp.identifier,
    tokenType: req.tokenType,
    lifetime: req.lifetime,
    notAfter: passesOn.notAfter,
    notRenewable: req.notRenewable || passesOn.notRenewable,
    renewableAfterExpiry: req.renewableAfterExpiry,
    scopeCeiling,
    confirmation: req.confirmation,
    requestedClaims: req.requestedClaims,
  });
}

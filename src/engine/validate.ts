import type { TokenKind } from "../config/types.ts";
import type { StateClient } from "../state/client.ts";
import { currentIdentity } from "./authenticate.ts";
import { authorize } from "./authorize.ts";
import { type StatusResult, tokenStatus } from "./check.ts";
import { invalidToken } from "../errors.ts";
import { issueToken } from "./issuance.ts";
import { derivationLimits } from "./lifetime.ts";
import { requireDpopProof } from "./presented-party.ts";
import { findRelyingParty } from "./relying-party.ts";
import type { Confirmation, IssuedToken, RequestedClaim, Requestor, StsContext } from "./types.ts";
import type { PresentedToken } from "./verify-own.ts";

/** Validate with status (WS-Trust 1.3 §7): is this token of ours valid now? */
export function validate(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  who: Requestor,
  presented: PresentedToken,
): Promise<StatusResult> {
  return tokenStatus(ctx, state, who, presented);
}

export interface TransformRequest {
  /** The relying party the new token is for (AppliesTo); default: the token's own audience. */
  target: string | undefined;
  tokenType: TokenKind;
  lifetime?: { created?: Date | undefined; expires?: Date | undefined } | undefined;
  /** The new token's proof key; undefined for a bearer token (the presented token's key is not carried over). */
  confirmation?: Confirmation | undefined;
  /** Requested claims (see `TokenRequest`). */
  requestedClaims?: RequestedClaim[] | undefined;
}

/**
 * Validate with token transformation (WS-Trust 1.3 §7): a valid token of ours becomes a new
 * token of another type, possibly for another relying party. That is an issuance for the
 * target: the requestor needs the right to obtain tokens for the subject there (the subject
 * itself, or a service account with `issue` for the target), and the target's policy applies
 * afresh — its token types, lifetime limits and claim release. Claims come from what the STS
 * holds for the subject, never from a token made for another relying party; a subject the STS
 * holds nothing for keeps only what the presented token states, released under the target's
 * policy. The new token keeps the presented one's authentication time, and its end and
 * renewability when that one may not be renewed (lifetime.ts `derivationLimits`).
 */
export async function transform(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  who: Requestor,
  presented: PresentedToken,
  req: TransformRequest,
): Promise<IssuedToken> {
  const r = await tokenStatus(ctx, state, who, presented);
  if (!r.valid || !r.token) throw invalidToken(r.reason);
  const t = r.token;
  requireDpopProof(t.confirmation, null, "token to transform");
  const rp = findRelyingParty(ctx.config, req.target ?? t.audience);
  authorize(who, { route: "validate-transform", subject: t.subject, relyingParty: rp.identifier });
  const identity = await currentIdentity(ctx, { subject: t.subject, claims: t.claims, authnInstant: t.authnInstant, authnMethod: t.authnMethod });
  const passesOn = derivationLimits(ctx.config, t);
  return issueToken(ctx, {
    requestor: who,
    identity,
    appliesTo: rp.identifier,
    tokenType: req.tokenType,
    lifetime: req.lifetime,
    actor: t.actor,
    notAfter: passesOn.notAfter,
    notRenewable: passesOn.notRenewable,
    scopeCeiling: t.scope.length > 0 ? t.scope : undefined,
    confirmation: req.confirmation,
    requestedClaims: req.requestedClaims,
  });
}

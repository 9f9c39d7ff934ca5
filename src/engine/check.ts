/**
 * The one check of a presented token of ours, shared by WS-Trust Validate, OAuth introspection
 * and every lifecycle operation: signature against our keys, time window, may this requestor
 * manage it (the one authorization rule), then its revocation state: one Durable Object call
 * for the token and its subject, and one per actor of a delegated token, all at once.
 */
import type { RelyingParty } from "../config/types.ts";
import type { StateClient } from "../state/client.ts";
import type { TokenStatus } from "../state/types.ts";
import { authorize } from "./authorize.ts";
import { lookupRelyingParty, partyOf } from "./relying-party.ts";
import { actorSubjects } from "./names.ts";
import type { StsContext, Requestor } from "./types.ts";
import { type OwnToken, type PresentedToken, verifyOwnToken } from "./verify-own.ts";

export interface StatusResult {
  valid: boolean;
  reason: string;
  token: OwnToken | undefined;
}

/**
 * The token's reference for the state store. A subject-wide revocation ends what stems from an
 * authentication before its cut-off, not only what was minted before it, so the time the cut-off
 * is compared with is the earlier of the two: a renewal or an exchange that checked its source
 * token just before the revocation was written, or a sign-in that read its user just before an
 * administrator disabled or deleted them (authenticate.ts), mints after the cut-off a token whose
 * authentication instant is still before it. Every token's lifetime is capped from that instant
 * (issuance.ts), so the cut-off's retention (the longest total lifetime) still covers it.
 */
export const tokenRef = (t: OwnToken) => ({
  id: t.id,
  issuedAt: Math.min(t.issuedAt.getTime(), t.authnInstant.getTime()),
  expiresAt: t.expires.getTime(),
});

/**
 * Whether a token is revoked for a party of its actor chain: a delegated token proves its actor
 * (docs/security.md §11) and is held by it, so revoking that party's tokens
 * (`/admin/revoke-subject`, a directory user's `revokeTokens` or deletion) revokes the tokens it
 * acts in too, each link asked of its own state object, in parallel. A link named by a pairwise
 * pseudonym is asked by the real subject the token seals for it (docs/security.md §18), as the
 * token's own pseudonymous subject is. Undefined when none is revoked or the token names no actor.
 */
export async function actorRevocation(ctx: StsContext, state: Pick<StateClient, "status">, t: OwnToken): Promise<TokenStatus | undefined> {
  if (t.actor === undefined) return undefined;
  // An actor's cut-off is compared with when the token was issued: the authentication instant
  // it carries is its subject's, not the actor's.
  const ref = { ...tokenRef(t), issuedAt: t.issuedAt.getTime() };
  const answers = await Promise.all(actorSubjects(ctx, t.actor).map((name) => state.status({ subject: name }, ref)));
  return answers.find((s) => s.state === "revoked");
}

/**
 * A token's revocation state, the one check every route makes of a presented token of ours:
 * the token itself and its subject (one call), and each party of its actor chain
 * ({@link actorRevocation}).
 */
export async function revocationOf(ctx: StsContext, state: Pick<StateClient, "status">, t: OwnToken): Promise<TokenStatus> {
  const [own, actor] = await Promise.all([state.status({ subject: t.subject }, tokenRef(t)), actorRevocation(ctx, state, t)]);
  return own.state === "revoked" ? own : actor ?? own;
}

/** What a status check asks beyond the token's own validity. */
export interface StatusQuestion {
  /**
   * The authorization rule, asked of the token's own facts before anything about its validity
   * is told: by default the `validate` rule for its subject and relying party; a transformation
   * asks its own (an issuance for the target).
   */
  mayAsk?: ((t: OwnToken) => void) | undefined;
  /**
   * The relying party the question is for (WS-Trust wsp:AppliesTo): a token issued for another
   * party is not valid for this one, however good it is.
   */
  party?: RelyingParty | undefined;
}

/**
 * WS-Trust 1.3 §7 status: a token that fails is "invalid" with a reason — that is an answer,
 * not an error; only a requestor the authorization rule refuses is an error (`not_authorized`).
 */
export async function tokenStatus(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  who: Requestor,
  presented: PresentedToken,
  q: StatusQuestion = {},
): Promise<StatusResult> {
  const mayAsk = q.mayAsk ?? ((t: OwnToken) => authorize(who, { route: "validate", subject: t.subject, relyingParty: partyOf(ctx.config, t.audience), tokenClient: t.clientId }));
  const check = await verifyOwnToken(ctx, presented);
  if (check.token) mayAsk(check.token);
  if (!check.ok) return { valid: false, reason: check.reason, token: check.token };
  // Compared as parties, so a token for a renamed party's alias is still that party's.
  if (q.party && lookupRelyingParty(ctx.config, check.token.audience) !== q.party) {
    return { valid: false, reason: `The token was issued for another party, not for '${q.party.identifier}'.`, token: check.token };
  }
  const s = await revocationOf(ctx, state, check.token);
  if (s.state === "revoked") return { valid: false, reason: `The token has been revoked (${s.reason}).`, token: check.token };
  return { valid: true, reason: "The token is valid.", token: check.token };
}

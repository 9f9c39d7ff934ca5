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
import type { Actor, StsContext, Requestor } from "./types.ts";
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
export const tokenRef = (t: Pick<OwnToken, "id" | "issuedAt" | "authnInstant" | "expires">) => ({
  id: t.id,
  issuedAt: Math.min(t.issuedAt.getTime(), t.authnInstant.getTime()),
  expiresAt: t.expires.getTime(),
});

/**
 * Per request (a context is one request's): each subject whose state object answered "active",
 * and the earliest instant such an answer stands for (`asOf`: a leased answer is as old as the
 * query that got it, up to `limits.statusLeaseMilliseconds` before it is used).
 */
const checked = new WeakMap<StsContext, Map<string, number>>();

function noteChecked(ctx: StsContext, subject: string, s: TokenStatus): void {
  if (s.state !== "active" || s.asOf === undefined) return;
  let m = checked.get(ctx);
  if (m === undefined) checked.set(ctx, (m = new Map()));
  const seen = m.get(subject);
  if (seen === undefined || s.asOf < seen) m.set(subject, s.asOf);
}

/**
 * The instant a token naming `actor` is issued at: before any party of its chain was
 * authenticated or had its revocation state read — when its request began (`ctx.begun`: before
 * the requestor that becomes the actor in ActAs signed in), or earlier still when an answer
 * read about a party of the chain (an actor_token's, the chain of a presented delegated
 * token's) was a leased one. {@link actorRevocation} compares each actor's cut-off with the
 * issue time, so a revocation written after those reads ends the token however late it is
 * minted: an exchange, a delegated Issue, a Validate-transformation or a Renew that found the
 * actor good just before an administrator revoked it, and minted just after, issued before the
 * cut-off. A party checked afresh after the revocation (a new token of the actor's) is not
 * caught by it. A token without an actor is issued when it is minted: its subject's cut-off is
 * compared with its authentication instant as well ({@link tokenRef}).
 */
export function issueInstant(ctx: StsContext, actor: Actor | undefined): Date {
  if (actor === undefined) return ctx.now();
  const seen = checked.get(ctx);
  let at = ctx.begun.getTime();
  for (const name of actorSubjects(ctx, actor)) {
    const t = seen?.get(name);
    if (t !== undefined && t < at) at = t;
  }
  return new Date(at);
}

/**
 * Whether a token is revoked for a party of its actor chain: a delegated token proves its actor
 * (docs/security.md §11) and is held by it, so revoking that party's tokens
 * (`/admin/revoke-subject`, a directory user's `revokeTokens` or deletion) revokes the tokens it
 * acts in too, each link asked of its own state object, in parallel. A link named by a pairwise
 * pseudonym is asked by the real subject the token seals for it (docs/security.md §18), as the
 * token's own pseudonymous subject is. A trusted issuer's token is asked the same of its chain
 * (partner-jwt.ts), under the issuer's token ID. Undefined when none is revoked or the token
 * names no actor.
 */
export async function actorRevocation(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  t: Pick<OwnToken, "actor" | "id" | "issuedAt" | "authnInstant" | "expires">,
): Promise<TokenStatus | undefined> {
  if (t.actor === undefined) return undefined;
  // An actor's cut-off is compared with when the token was issued, which is before its actors
  // were checked (issueInstant): the authentication instant it carries is its subject's, not
  // the actor's.
  const ref = { ...tokenRef(t), issuedAt: t.issuedAt.getTime() };
  const names = actorSubjects(ctx, t.actor);
  const answers = await Promise.all(names.map((name) => state.status({ subject: name }, ref)));
  answers.forEach((s, i) => noteChecked(ctx, names[i]!, s));
  return answers.find((s) => s.state === "revoked");
}

/**
 * A token's revocation state, the one check every route makes of a presented token of ours:
 * the token itself and its subject (one call), and each party of its actor chain
 * ({@link actorRevocation}).
 */
export async function revocationOf(ctx: StsContext, state: Pick<StateClient, "status">, t: OwnToken): Promise<TokenStatus> {
  const [own, actor] = await Promise.all([state.status({ subject: t.subject }, tokenRef(t)), actorRevocation(ctx, state, t)]);
  // The token's subject may become an actor of a token made from it (an actor_token, an
  // ActAs requestor's token).
  noteChecked(ctx, t.subject, own);
  return own.state === "revoked" ? own : actor ?? own;
}

/**
 * Whether the subject a trusted issuer's token names has had its tokens revoked here since that
 * token's authentication (`/admin/revoke-subject`, a directory user's `revokeTokens`): its
 * revocations are its own (docs/security.md §11). A token made from it would state that
 * authentication instant, which the cut-off is compared with ({@link tokenRef}), so it would be
 * revoked as it is issued — and still good to a relying party that only checks its signature.
 * One `status` RPC to the subject's object, as for a token of ours; `id` keys only the read
 * lease, since no one cancels another issuer's token here.
 */
export async function subjectRevocation(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  subject: string,
  t: Pick<OwnToken, "id" | "issuedAt" | "authnInstant" | "expires">,
): Promise<TokenStatus> {
  const s = await state.status({ subject }, tokenRef(t));
  noteChecked(ctx, subject, s);
  return s;
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

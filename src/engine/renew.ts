import type { KeyTypeName, RelyingParty, TokenKind } from "../config/types.ts";
import type { StateClient } from "../state/client.ts";
import { refuseDisabledSubject } from "./authenticate.ts";
import { authorize } from "./authorize.ts";
import { actorRevocation, issueInstant, tokenRef } from "./check.ts";
import { inOrder } from "./in-order.ts";
import { invalidRequest, invalidTimeRange, invalidToken, unableToRenew } from "../errors.ts";
import { keyTypeName } from "./issuance.ts";
import { confirmationThumbprint, jwkThumbprint } from "../keys/keyring.ts";
import { refuseReversed, requestedEnd, totalLifetimeEnd } from "./lifetime.ts";
import { mintToken } from "./mint.ts";
import { type RenewingMarks, isNotRenewable, isRenewableAfterExpiry } from "../token/renewability.ts";
import { findRelyingParty, lookupRelyingParty, partyOf } from "./relying-party.ts";
import { sectorRefusal } from "./pairwise.ts";
import { ownMayAct } from "./may-act.ts";
import { refuseOtherClaims } from "./claims.ts";
import { protocolClaims } from "./protocol-claims.ts";
import type { Confirmation, IssuedToken, RequestedClaim, Requestor, StsContext } from "./types.ts";
import { type OwnToken, type PresentedToken, verifyOwnToken } from "./verify-own.ts";

/**
 * What a Renew request states about the token it wants back (WS-Trust wst:TokenType,
 * wsp:AppliesTo, wst:KeyType, wst:UseKey, wst:Entropy, wst:Claims). A renewal changes none of
 * them, so each must be the token's own.
 */
export interface RenewalAsked {
  tokenType?: TokenKind | undefined;
  /** A relying party's identifier or alias, as sent. */
  appliesTo?: string | undefined;
  keyType?: KeyTypeName | undefined;
  /** The public key a wst:UseKey names: it must be the one the token is bound to. */
  useKey?: Extract<Confirmation, { method: "public-key" }> | undefined;
  /** The request brings wst:Entropy, which asks for a new proof key computed from it. */
  entropy?: boolean | undefined;
  /** Requested claims (wst:Claims): they must describe the token's own claims. */
  claims?: readonly RequestedClaim[] | undefined;
}

/**
 * Renew (WS-Trust 1.3 §7.4 "Renewal binding"): a new token with a new ID and a new lifetime,
 * same subject and claims, signed afresh. A token renews once: the state object records the
 * renewal atomically, and reuse of an already-renewed token revokes its whole family. Whether it
 * may renew at all, and after it has expired, was decided when it was issued (its ID's marks,
 * renewability.ts); the renewed token keeps that decision.
 */
export async function renewToken(
  ctx: StsContext,
  state: StateClient,
  who: Requestor,
  presented: PresentedToken,
  /**
   * What the Renew's wst:Renewing asks of the renewed token (renewability.ts): `OK="true"` lets
   * no expired token renew now, and a token issued so stays so without asking.
   */
  opts: RenewingMarks & {
    lifetime?: { created?: Date | undefined; expires?: Date | undefined } | undefined;
    asked?: RenewalAsked | undefined;
  },
): Promise<IssuedToken> {
  const askedParty = opts.asked?.appliesTo === undefined ? undefined : findRelyingParty(ctx.config, opts.asked.appliesTo);
  const check = await verifyOwnToken(ctx, presented);
  if (!check.token) throw invalidToken(check.ok ? "The token is not valid." : check.reason);
  const t = check.token;
  authorize(who, { route: "renew", subject: t.subject, relyingParty: partyOf(ctx.config, t.audience), tokenClient: t.clientId });
  const rp = lookupRelyingParty(ctx.config, t.audience);
  if (!rp) throw unableToRenew("The token's relying party is no longer configured.");
  await refuseChanges(ctx, t, rp, askedParty, opts.asked);
  await requireRenewalKeyProof(t.confirmation, who);
  // A pairwise token's relying party made public (its sector was its identifier, so the token
  // still resolves) is not handed the name the pseudonym hid by a renewal: it gets names from
  // new sign-ins, never linked to the pseudonyms it knew.
  const outOfSector = sectorRefusal(t.pairwise, rp, "RenewTarget token");
  if (outOfSector !== undefined) throw unableToRenew(outOfSector);
  // The state object's renewal answers for the token and its subject; an actor's revocation is
  // that actor's object's to tell. Both questions are asked together; a disabled account is
  // still the refusal given when both would refuse.
  const [, actorRevoked] = await inOrder([refuseDisabledSubject(ctx, t.subject, t.actor), actorRevocation(ctx, state, t)]);
  if (actorRevoked) throw unableToRenew("The token has been revoked.");
  const now = issueInstant(ctx, t.actor);
  if (!check.ok) {
    const graceMs = rp.renewal.expiredGraceSeconds * 1000;
    const withinGrace = check.expired && now.getTime() - t.expires.getTime() <= graceMs;
    if (!withinGrace) throw unableToRenew(check.reason);
    // WS-Trust 1.3 §5: an expired token renews only when it was issued with wst:Renewing
    // OK="true" (Apache CXF's SAMLTokenRenewer: `allowRenewingAfterExpiry`, recorded at issue).
    // The Renew request's own OK is no say: whoever holds a copy of an expired token would
    // decide alone to revive it.
    if (!isRenewableAfterExpiry(t.id)) {
      throw unableToRenew(`${check.reason} It was not issued as renewable after expiry (wst:Renewing OK="true" in the request that issued it).`);
    }
  }
  if (!rp.renewal.allowed) throw unableToRenew("Tokens for this relying party are not renewable.");
  if (isNotRenewable(t.id)) throw unableToRenew('This token was issued as not renewable (wst:Renewing Allow="false").');
  const windowMs = rp.renewal.windowSeconds * 1000;
  if (windowMs > 0 && now.getTime() < t.expires.getTime() - windowMs) {
    throw unableToRenew(`Renewal is allowed only in the last ${rp.renewal.windowSeconds} seconds of the token's lifetime.`);
  }
  // WS-Trust 1.3 §7.4: a renewal may ask for a new Lifetime. A start in the future (postdating)
  // is refused unless the relying party allows it; the end stays within the usual maximum.
  refuseReversed(opts.lifetime);
  const skewMs = ctx.config.limits.clockSkewSeconds * 1000;
  const created = opts.lifetime?.created;
  let start = now.getTime();
  if (created && created.getTime() > start + skewMs) {
    if (!rp.renewal.allowPostdating) throw invalidTimeRange("Postdated renewals are not allowed for this relying party.");
    start = created.getTime();
  }
  const lifetimeMs = Math.min(rp.tokenLifetimeSeconds * 1000, t.expires.getTime() - t.issuedAt.getTime());
  const maxEnd = totalLifetimeEnd(rp, t.authnInstant.getTime());
  const wanted = opts.lifetime?.expires;
  let end = wanted ? requestedEnd(rp, start, skewMs, wanted) : start + lifetimeMs;
  end = Math.min(end, maxEnd);
  if (end <= start) throw unableToRenew("The maximum total lifetime since authentication has been reached.");
  const renewed = await mintToken(ctx, {
    kind: t.kind,
    rp,
    subject: t.subject,
    claims: t.claims,
    authnInstant: t.authnInstant,
    authnMethod: t.authnMethod,
    issuedAt: now,
    notBefore: new Date(start),
    expires: new Date(end),
    scope: t.scope,
    actor: t.actor,
    mayAct: ownMayAct(ctx, t),
    clientId: t.clientId,
    notRenewable: opts.notRenewable,
    renewableAfterExpiry: opts.renewableAfterExpiry || isRenewableAfterExpiry(t.id),
    // The renewed token stays bound to the same key, the one this request proved
    // (requireRenewalKeyProof): a public key as it was, a DPoP key by its thumbprint
    // (RFC 9449 §6.1 `cnf.jkt`, RFC 7800 `cnf.jwk`).
    confirmation: t.confirmation,
  });
  const r = await state.renew({ subject: t.subject }, tokenRef(t), {
    id: renewed.id,
    expiresAt: renewed.expires.getTime(),
  });
  if (!r.ok) {
    const why = {
      "already-renewed": "The token was already renewed; its renewal family has been revoked.",
      revoked: "The token has been revoked.",
      expired: "The token expired too long ago to be renewed.",
      "id-conflict": "The renewal could not be recorded.",
      // Normally turned into rate_limited by the abuse guard, which passed the limit.
      "rate-limited": "Too many renewals for this subject; try again later.",
    }[r.reason];
    throw unableToRenew(why);
  }
  return renewed;
}

/**
 * WS-Trust 1.3 §7.4: a renewal is the same token anew — its type, relying party, proof key and
 * claims stay. A request asking for another is one Renew cannot honour: refused, naming what it asked,
 * rather than answered with a token that is not what it asked for. (Validate transforms a token
 * into another type or for another party.)
 */
async function refuseChanges(ctx: StsContext, t: OwnToken, rp: RelyingParty, askedParty: RelyingParty | undefined, asked: RenewalAsked = {}): Promise<void> {
  if (asked.tokenType !== undefined && asked.tokenType !== t.kind) {
    throw invalidRequest(`wst:TokenType asks for a ${asked.tokenType} token, but the token to renew is a ${t.kind} token: a renewal keeps the token's type (Validate transforms a token into another).`);
  }
  if (askedParty && askedParty !== rp) {
    throw invalidRequest(`wsp:AppliesTo names '${askedParty.identifier}', but the token to renew is for '${rp.identifier}': a renewal keeps the token's relying party.`);
  }
  const keyType = keyTypeName(t.confirmation);
  if (asked.keyType !== undefined && asked.keyType !== keyType) {
    throw invalidRequest(`wst:KeyType asks for a ${asked.keyType} token, but the token to renew is a ${keyType} token: a renewal keeps the token's proof key.`);
  }
  // §7.4: "the key semantics ... MUST NOT be altered". A key named or entropy sent for a new one
  // would otherwise be passed over, and the requestor would take the token for bound to a key it
  // is not bound to (a bearer token, say).
  if (asked.useKey && !(await boundTo(t.confirmation, asked.useKey))) {
    throw invalidRequest(`wst:UseKey names a key the token to renew is not bound to (it is a ${keyType} token): a renewal keeps the token's proof key; Issue or Validate makes a token for another key.`);
  }
  if (asked.entropy) {
    throw invalidRequest("wst:Entropy asks for a new proof key computed from it, but a renewal keeps the token's proof key: leave wst:Entropy out; Issue or Validate makes a token with a new key.");
  }
  if (asked.claims) {
    const stated = protocolClaims(ctx, { actor: t.actor, mayAct: ownMayAct(ctx, t)?.name, scope: t.scope, clientId: t.clientId });
    refuseOtherClaims(rp, t.kind, t.claims, asked.claims, stated);
  }
}

/** Whether a token bound by `c` is bound to `key`: its public key, or the DPoP key of its thumbprint. */
async function boundTo(c: Confirmation | undefined, key: Extract<Confirmation, { method: "public-key" }>): Promise<boolean> {
  const bound = c && (await confirmationThumbprint(c));
  return bound !== undefined && bound === (await jwkThumbprint(key.jwk));
}

/**
 * A token bound to a key renews only for a requestor that proves that key with this very request
 * (as Apache CXF's SAMLTokenRenewer requires of a holder-of-key assertion): its message signed
 * with the key — at certificatemixed with a certificate for it, or at issuedtokenmixed with a
 * holder-of-key assertion confirming it, or at usernamemixed endorsed by it (`Requestor.provedKey`). Otherwise anyone holding a copy
 * of the token, or allowed to renew for its relying party, would get a fresh token bound to a key
 * they need not hold, and a holder that lost its key would keep its tokens alive. A symmetric key
 * is sealed for the relying party, where this STS cannot open it, so no request can prove it here.
 * Refused as a bound presented token is over WS-Trust (`requireKeyProof`): wst:InvalidRequest.
 * A bearer token needs no proof.
 * @throws StsError invalid_request
 */
async function requireRenewalKeyProof(c: Confirmation | undefined, who: Requestor): Promise<void> {
  if (c === undefined) return;
  const bound = await confirmationThumbprint(c);
  if (bound === undefined) {
    throw invalidRequest("The token to renew is bound to a symmetric proof key, sealed for its relying party where this STS cannot open it, so no request can prove it: ask for a new token (Issue) instead.");
  }
  const proved = await who.provedKey?.();
  if (!proved || (await jwkThumbprint(proved.jwk)) !== bound) {
    throw invalidRequest("The token to renew is bound to a key: a renewal needs the request signed with that key (certificatemixed with its certificate, issuedtokenmixed with a holder-of-key assertion for it, or usernamemixed endorsed by the key as WCF endorses an AsymmetricKey request).");
  }
}

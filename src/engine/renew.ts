import type { StateClient } from "../state/client.ts";
import { refuseDisabledSubject } from "./authenticate.ts";
import { authorize } from "./authorize.ts";
import { tokenRef } from "./check.ts";
import { invalidTimeRange, invalidToken, unableToRenew } from "../errors.ts";
import { refuseReversed, requestedEnd } from "./lifetime.ts";
import { mintToken } from "./mint.ts";
import { isNotRenewable } from "../token/renewability.ts";
import { lookupRelyingParty, partyOf } from "./relying-party.ts";
import { ownMayAct } from "./presented-party.ts";
import type { IssuedToken, Requestor, StsContext } from "./types.ts";
import { type PresentedToken, verifyOwnToken } from "./verify-own.ts";

/**
 * Renew (WS-Trust 1.3 §7.4 "Renewal binding"): a new token with a new ID and a new lifetime,
 * same subject and claims, signed afresh. A token renews once: the state object records the
 * renewal atomically, and reuse of an already-renewed token revokes its whole family.
 */
export async function renewToken(
  ctx: StsContext,
  state: StateClient,
  who: Requestor,
  presented: PresentedToken,
  opts: {
    allowExpired: boolean;
    lifetime?: { created?: Date | undefined; expires?: Date | undefined } | undefined;
    /** WS-Trust 1.3 §5 `wst:Renewing Allow="false"`: the renewed token may not be renewed again. */
    notRenewable?: boolean | undefined;
  },
): Promise<IssuedToken> {
  const check = await verifyOwnToken(ctx, presented);
  if (!check.token) throw invalidToken(check.ok ? "The token is not valid." : check.reason);
  const t = check.token;
  authorize(who, { route: "renew", subject: t.subject, relyingParty: partyOf(ctx.config, t.audience), tokenClient: t.clientId });
  const rp = lookupRelyingParty(ctx.config, t.audience);
  if (!rp) throw unableToRenew("The token's relying party is no longer configured.");
  await refuseDisabledSubject(ctx, t.subject);
  const now = ctx.now();
  if (!check.ok) {
    const graceMs = rp.renewal.expiredGraceSeconds * 1000;
    const withinGrace = check.expired && now.getTime() - t.expires.getTime() <= graceMs;
    // WS-Trust 1.3 §5: renewing an expired token needs wst:Renewing/@OK="true".
    if (!(withinGrace && opts.allowExpired)) throw unableToRenew(check.reason);
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
  const maxEnd = t.authnInstant.getTime() + rp.renewal.maxTotalLifetimeSeconds * 1000;
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
    // The renewed token stays bound to the same key: a symmetric key as the relying party
    // already holds it (its EncryptedKey, written again unchanged), a public key as it was, a
    // DPoP key by its thumbprint (RFC 9449 §6.1 `cnf.jkt`, RFC 7800 `cnf.jwk`).
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

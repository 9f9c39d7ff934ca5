import type { RelyingParty, ResolvedConfig } from "../config/types.ts";
import { invalidTimeRange } from "../errors.ts";
import { isNotRenewable } from "../token/renewability.ts";
import { lookupRelyingParty } from "./relying-party.ts";

/**
 * Decides a token's validity window. WS-Trust 1.3 §4.4: the requested Lifetime is a request,
 * the STS may shorten it; we honour it within the relying party's maximum and refuse what we
 * cannot honour (a start in the future, an end before the start, a range clearly past the
 * maximum) with wst:InvalidTimeRange rather than silently issuing something else.
 */
export function decideLifetime(
  rp: RelyingParty,
  now: Date,
  skewSeconds: number,
  requested?: { created?: Date | undefined; expires?: Date | undefined },
): { notBefore: Date; expires: Date } {
  refuseReversed(requested);
  const nowMs = now.getTime();
  const skew = skewSeconds * 1000;
  const created = requested?.created;
  if (created && created.getTime() > nowMs + skew) {
    throw invalidTimeRange("The requested lifetime starts in the future; postdated tokens are not issued.");
  }
  const notBefore = now;
  const want = requested?.expires;
  if (!want) return { notBefore, expires: new Date(nowMs + rp.tokenLifetimeSeconds * 1000) };
  return { notBefore, expires: new Date(requestedEnd(rp, nowMs, skew, want)) };
}

/**
 * When every token of `rp` for an authentication at `authnMs` ends at the latest: its
 * `renewal.maxTotalLifetimeSeconds` counted from the authentication, whether a token is renewed,
 * derived from another or issued again from a browser session.
 */
export function totalLifetimeEnd(rp: RelyingParty, authnMs: number): number {
  return authnMs + rp.renewal.maxTotalLifetimeSeconds * 1000;
}

/**
 * A requested Lifetime (on Issue, Renew or Validate-transformation) whose end is not after its
 * start, both given, asks for no time at all: refused as such, not read as one of its halves.
 * The STS may move a start that lies within the clock skew to now, but the requester's own
 * range is judged as sent, before any such adjustment hides that it is reversed.
 * @throws StsError invalid_time_range
 */
export function refuseReversed(requested: { created?: Date | undefined; expires?: Date | undefined } | undefined): void {
  const { created, expires } = requested ?? {};
  if (created && expires && expires.getTime() <= created.getTime()) throw invalidTimeRange(ENDS_BEFORE_START);
}

const ENDS_BEFORE_START = "The requested lifetime ends before it starts.";

/**
 * The end of a token starting at `startMs` whose requester asked for `want` (WS-Trust
 * wst:Lifetime/wsu:Expires, on Issue or Renew), epoch ms. A request up to the clock skew past
 * the maximum is accepted — the requester's clock may run ahead of ours — but the token is
 * shortened to the maximum: skew widens what is accepted, never what is issued.
 * @throws StsError invalid_time_range for an end before the start or clearly past the maximum
 */
export function requestedEnd(rp: RelyingParty, startMs: number, skewMs: number, want: Date): number {
  const maxMs = rp.maxTokenLifetimeSeconds * 1000;
  // The requester's own range was not reversed (refuseReversed): its end lies before the token's
  // start, now or a postdated renewal's, so say that rather than blame the range.
  if (want.getTime() <= startMs) {
    throw invalidTimeRange(`The requested lifetime ends at ${want.toISOString()}, which is not after the token's start at ${new Date(startMs).toISOString()}.`);
  }
  if (want.getTime() - startMs > maxMs + skewMs) {
    throw invalidTimeRange(`The requested lifetime exceeds the maximum of ${rp.maxTokenLifetimeSeconds} seconds for this relying party.`);
  }
  return Math.min(want.getTime(), startMs + maxMs);
}

/**
 * What a presented token passes on to a token derived from it (token exchange, OnBehalfOf /
 * ActAs, Validate transformation). Deriving must not do what Renew would refuse: a token that
 * may not be renewed cannot become a longer-lived one by way of another token.
 */
export interface DerivationLimits {
  /** The derived token ends no later than this: the presented token's own end. */
  notAfter: Date | undefined;
  /** The derived token is itself marked not renewable. */
  notRenewable: boolean;
}

/** A trusted issuer's token: its authentication time (the total-lifetime cap) is all it passes on. */
export const NO_DERIVATION_LIMITS: DerivationLimits = Object.freeze({ notAfter: undefined, notRenewable: false });

/**
 * The limits a token of ours passes on. It may not be renewed when it says so
 * (`wst:Renewing Allow="false"`, renewability.ts) or when its relying party does not renew
 * tokens (or is no longer configured); then what derives from it ends when it ends and is not
 * renewable either.
 */
export function derivationLimits(config: ResolvedConfig, t: { id: string; audience: string; expires: Date }): DerivationLimits {
  const renewable = !isNotRenewable(t.id) && lookupRelyingParty(config, t.audience)?.renewal.allowed === true;
  return renewable ? NO_DERIVATION_LIMITS : { notAfter: t.expires, notRenewable: true };
}

import type { RelyingParty } from "../config/types.ts";
import { invalidTimeRange } from "../errors.ts";

/**
 * Decides a token's validity window. WS-Trust 1.3 §4.4: the requested Lifetime is a request,
 * the STS may shorten it; we honour it within the relying party's maximum and refuse what we
 * cannot honour (a start in the future, an end before the start, a range past the maximum)
 * with wst:InvalidTimeRange rather than silently issuing something else.
 */
export function decideLifetime(
  rp: RelyingParty,
  now: Date,
  skewSeconds: number,
  requested?: { created?: Date | undefined; expires?: Date | undefined },
): { notBefore: Date; expires: Date } {
  const nowMs = now.getTime();
  const skew = skewSeconds * 1000;
  const created = requested?.created;
  if (created && created.getTime() > nowMs + skew) {
    throw invalidTimeRange("The requested lifetime starts in the future; postdated tokens are not issued.");
  }
  const notBefore = now;
  const want = requested?.expires;
  if (!want) return { notBefore, expires: new Date(nowMs + rp.tokenLifetimeSeconds * 1000) };
  if (want.getTime() <= nowMs) throw invalidTimeRange("The requested lifetime ends before it starts.");
  if (want.getTime() - nowMs > rp.maxTokenLifetimeSeconds * 1000 + skew) {
    throw invalidTimeRange(
      `The requested lifetime exceeds the maximum of ${rp.maxTokenLifetimeSeconds} seconds for this relying party.`,
    );
  }
  return { notBefore, expires: want };
}

/**
 * The operator's lines about a trusted issuer's published key set (its `jwksUri`) being
 * unreachable: the first failure at once, then at most one line a minute per isolate and URI,
 * and one line when a token of that issuer verifies again (see docs/audit.md).
 */
import type { TrustedIssuer } from "../config/types.ts";
import { RepeatedFailureLog } from "../web/log.ts";
import type { StsContext } from "./types.ts";

/** Per isolate and JWKS URI: the first failure at once, then one line a minute, then the recovery. */
const jwksOutages = new RepeatedFailureLog();

/**
 * A trusted issuer's jwksUri gave no key set: every token of that issuer is refused until it
 * does, which only the operator can fix (the partner's endpoint, a firewall, a typo'd URI), so
 * it is logged with the issuer, the URI and why.
 */
export function keysUnavailable(ctx: StsContext, t: TrustedIssuer, why: string | undefined): void {
  const uri = t.jwksUri!;
  jwksOutages.failed(uri, () => ({
    level: "error",
    event: "jwks_unavailable",
    ...jwksNamed(ctx, t, uri),
    message: `The JWKS of trusted issuer ${t.issuer} could not be fetched from ${uri} (${why ?? "unknown"}): its tokens are refused until it can be.`,
  }));
}

/** What a line about an issuer's key set names: the realm, the issuer and the set's address. */
function jwksNamed(ctx: StsContext, t: TrustedIssuer, uri: string) {
  return { ...(ctx.config.realm === undefined ? {} : { realm: ctx.config.realm }), issuer: t.issuer, jwks_uri: uri };
}

/** A trusted issuer's token verified, so its key set was had: after failures, says so once. */
export function keysAvailable(ctx: StsContext, t: TrustedIssuer): void {
  if (t.jwksUri === undefined) return;
  const uri = t.jwksUri;
  jwksOutages.succeeded(uri, (failures) => ({
    level: "info",
    event: "jwks_available",
    ...jwksNamed(ctx, t, uri),
    failures,
    message: `The JWKS of trusted issuer ${t.issuer} can be fetched again from ${uri} after ${failures} failure${failures === 1 ? "" : "s"}.`,
  }));
}

/**
 * A token's `may_act` (RFC 8693 §4.4) as our name for the one party it lets act: in a token of
 * ours, or in a trusted issuer's JWT.
 */
import type { TrustedIssuer } from "../config/types.ts";
import type { MayAct, StsContext } from "./types.ts";
import type { OwnToken } from "./verify-own.ts";
import { nameIn, subjectOf } from "./names.ts";

/** The `may_act` a token of ours states (JWT claim or SAML attribute), as our name for the party. */
export function ownMayAct(ctx: StsContext, t: OwnToken): MayAct | undefined {
  return mayActOf(ctx, t.mayAct, undefined);
}

/**
 * A JWT's `may_act` claim value → our name for the party it names. Our own tokens may name any
 * party we know; a trusted issuer names only parties of its own namespace (an `iss` other than
 * its own names nobody).
 */
export function mayActOf(ctx: StsContext, m: unknown, from: TrustedIssuer | undefined): MayAct | undefined {
  if (m === undefined) return undefined;
  // Present but malformed: keep it as a constraint nobody satisfies (fail closed).
  if (typeof m !== "object" || m === null) return { name: undefined };
  const o = m as Record<string, unknown>;
  if (typeof o.sub !== "string" || (o.iss !== undefined && typeof o.iss !== "string")) return { name: undefined };
  const iss = o.iss as string | undefined;
  if (from === undefined) return { name: nameIn(ctx, iss ?? ctx.issuer, o.sub) };
  if (iss === undefined || iss === from.issuer) return { name: subjectOf(from, o.sub) };
  // An issuer whose subjects are ours may name ours explicitly too.
  return { name: from.localSubjects && iss === ctx.issuer ? o.sub : undefined };
}

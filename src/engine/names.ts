/**
 * Our names for parties other issuers name (src/token/subject.ts): a trusted issuer's subject
 * is `<issuer>#<subject>` unless the configuration maps that issuer's subjects to ours
 * (`localSubjects`). Every token we issue, every state key and every authorization question
 * uses these names, so an external `alice` is never our alice.
 */
import type { TrustedIssuer } from "../config/types.ts";
import { type Actor, chainLinks, nestChain } from "../token/actor.ts";
import { namespacePrefix, qualifiedSubject } from "../token/subject.ts";
import type { StsContext } from "./types.ts";

/** Our name for the subject a trusted issuer calls `sub`. */
export function subjectOf(t: TrustedIssuer, sub: string): string {
  return t.localSubjects ? sub : qualifiedSubject(t.issuer, sub);
}

/**
 * Our name for the party `iss` calls `sub`: ours as it is, a trusted issuer's as
 * {@link subjectOf} gives it; undefined for any other issuer (no party we accept tokens from).
 */
export function nameIn(ctx: StsContext, iss: string, sub: string): string | undefined {
  if (iss === ctx.issuer) return sub;
  const t = ctx.config.trustedIssuers.find((x) => x.issuer === iss);
  return t ? subjectOf(t, sub) : undefined;
}

/**
 * An actor as one name, where a format has no room for its issuer (the SAML actor attribute):
 * `<issuer>#<sub>` for a link another issuer named, else its name as it is.
 */
export function actorName(ctx: StsContext, a: Actor): string {
  return a.iss !== undefined && a.iss !== ctx.issuer ? qualifiedSubject(a.iss, a.sub) : a.sub;
}

/**
 * A chain link for a party we know by `name`: a name in a trusted issuer's namespace becomes
 * `{ sub, iss }` as RFC 8693 §4.1 writes it (the inverse of {@link actorName}); any other name
 * is ours.
 */
export function actorFromName(ctx: StsContext, name: string): Actor {
  for (const t of ctx.config.trustedIssuers) {
    if (t.localSubjects) continue;
    const prefix = namespacePrefix(t.issuer);
    if (name.startsWith(prefix)) return { sub: name.slice(prefix.length), iss: t.issuer };
  }
  return { sub: name };
}

/**
 * A delegation chain as the values of the SAML actor attribute, which has room for one name per
 * value: the party acting now first (what a relying party reading one actor sees), then the
 * party it acted for, and so on, each as {@link actorName} writes it.
 */
export function actorNames(ctx: StsContext, a: Actor | undefined): string[] {
  return chainLinks(a).map((x) => actorName(ctx, x));
}

/**
 * Our names for the parties of a delegation chain, outermost first, as their revocation state
 * and accounts are kept: a link the token names by a pairwise pseudonym by the real subject
 * sealed for us (`Actor.realSubject`), any other as {@link actorName} writes it.
 */
export function actorSubjects(ctx: StsContext, a: Actor | undefined): string[] {
  return chainLinks(a).map((x) => x.realSubject ?? actorName(ctx, x));
}

/**
 * The chain the SAML actor attribute's values state, outermost first (the inverse of
 * {@link actorNames}); as for a JWT's `act`, at most one link past the limit is kept (nestChain).
 */
export function actorFromNames(ctx: StsContext, names: readonly string[] | undefined): Actor | undefined {
  return names && nestChain(names.map((n) => actorFromName(ctx, n)));
}

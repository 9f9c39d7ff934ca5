/**
 * Pairwise subjects in tokens (src/identity/pairwise.ts has the cryptography): what a token for
 * a pairwise relying party states instead of the subject's name, and the real subject of such a
 * token when it is presented back.
 *
 * Design (docs/security.md, "Pairwise subjects"): the token states the pseudonym; its random ID
 * part is replaced by the real subject sealed under a key derived from the pairwise secret.
 * Presented back, our signature vouches for the ID, the seal opens to the real subject, and the
 * pseudonym the token states is checked against it. Everything after that — authorization,
 * revocation state (kept per real subject, so revoking a subject revokes their pairwise tokens
 * too), renewal, exchange — sees the real subject; only what is shown about the token
 * (introspection's `sub`) keeps the pseudonym, and what is made from it stays in its sector
 * (`sectorRefusal`). Issuance stays stateless: no mapping is stored.
 */
import type { RelyingParty } from "../config/types.ts";
import { invalidScope } from "../errors.ts";
import { MIN_SEALED_CHARS, isPseudonymOf, openSeal, pairwiseKeys, pseudonym, sealSubject } from "../identity/pairwise.ts";
import { randomPartOf } from "../token/renewability.ts";
import { type Actor, chainLinks, nestChain } from "../token/actor.ts";
import { lookupRelyingParty } from "./relying-party.ts";
import type { StsContext } from "./types.ts";
import { userNames } from "./users.ts";

/** What this module reads of a verified token of ours (verify-own.ts `OwnToken`). */
interface StatedToken {
  kind: string;
  id: string;
  subject: string;
  audience: string;
  actor?: Actor | undefined;
  pairwise?: PairwiseName | undefined;
}

/** How a pairwise token names its subject: the pseudonym it states, and the sector that is for. */
export interface PairwiseName {
  pseudonym: string;
  sector: string;
}

/** SAML 2.0 core §8.3.7: an identifier the issuer keeps for one relying party (or sector). */
export const NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";

/** What a token for a pairwise relying party states about its subject. */
export interface StatedSubject {
  /** The pseudonym: SAML NameID / NameIdentifier, JWT `sub`. */
  subject: string;
  /** The random part of the token's ID: the real subject, sealed. */
  idPart: string;
  /** SAML 2.0 profiles §8.3.7: the issuer, and the sector the pseudonym is for. */
  nameQualifier: string;
  spNameQualifier: string;
}

function secretOf(ctx: StsContext): Uint8Array<ArrayBuffer> {
  const secret = ctx.config.pairwiseSubjectSecret;
  // Configuration validation requires the secret once any relying party is pairwise.
  if (!secret) throw new Error("pairwiseSubjectSecret is not configured");
  return secret;
}

/**
 * The subject a token for `rp` states; undefined for a relying party with public subjects. The
 * real subjects of the actors `actor` names by their pseudonyms are sealed beside the subject's,
 * so that the token's one revocation check asks each of them (check.ts `actorRevocation`). Only
 * a pairwise party's token can name one: a pairwise token is made into no other (`sectorRefusal`).
 */
export async function statedSubject(ctx: StsContext, rp: RelyingParty, subject: string, actor?: Actor): Promise<StatedSubject | undefined> {
  if (rp.subjectType !== "pairwise") return undefined;
  const keys = await pairwiseKeys(secretOf(ctx));
  const actors = chainLinks(actor).map((a) => a.realSubject ?? "");
  const [stated, idPart] = await Promise.all([pseudonym(keys, ctx.issuer, rp.sectorIdentifier, subject), sealSubject(keys, subject, actors)]);
  return { subject: stated, idPart, nameQualifier: ctx.issuer, spNameQualifier: rp.sectorIdentifier };
}

/**
 * A verified token of ours with its real subject: unchanged when its ID seals none (a token of a
 * relying party with public subjects); `pairwise` set and `subject` the real one when it does,
 * and each actor the token names by its pseudonym given its `realSubject` from the seal;
 * undefined when the sealed subject does not give the pseudonym the token states (its relying
 * party's sector or the pairwise secret changed since it was issued: it can no longer be
 * resolved, so it is treated as not valid).
 */
export async function withRealSubject<T extends StatedToken>(ctx: StsContext, t: T): Promise<T | undefined> {
  const secret = ctx.config.pairwiseSubjectSecret;
  const part = randomPartOf(t.id, t.kind === "saml2" || t.kind === "saml1");
  // Random ID parts (and the earlier not-renewable mark with one) are at most 35 characters;
  // sealed ones at least 64 (src/identity/pairwise.ts).
  if (part.length < MIN_SEALED_CHARS) return t;
  if (!secret) return undefined;
  const rp = lookupRelyingParty(ctx.config, t.audience);
  if (!rp) return undefined;
  const real = await openSeal(await pairwiseKeys(secret), part, t.subject, ctx.issuer, rp.sectorIdentifier);
  if (real === undefined) return undefined;
  return { ...t, subject: real.subject, actor: withRealSubjects(t.actor, real.actors), pairwise: { pseudonym: t.subject, sector: rp.sectorIdentifier } };
}

/** The chain `a` with the sealed real subjects (`names`, outermost first; "" for none) on its links. */
function withRealSubjects(a: Actor | undefined, names: readonly string[]): Actor | undefined {
  if (a === undefined || !names.some((n) => n !== "")) return a;
  return nestChain(chainLinks(a).map((link, i) => (names[i] ? { ...link, realSubject: names[i] } : link)));
}

/**
 * Why no token for `target` may be made from a token whose subject it names by the pseudonym
 * `from` (exchange, OnBehalfOf, ActAs, Validate-transformation, Renew; or with its holder as the
 * actor); undefined when one may, or when the token names its subject (`from` undefined).
 *
 * Pseudonyms keep relying parties of different sectors from correlating a user, and the one
 * who presents a token is often such a party (a relying party calling an API on its user's
 * behalf). A token made from a pairwise token is one that requestor asks for and may read, so
 * it may only name the subject as the token does: the same pseudonym, which only relying
 * parties of the same sector get (as OpenID Connect's pairwise `sub` is one sector's name). A
 * token naming the subject would hand it the name the pseudonym hides; one with another
 * sector's pseudonym would link the two sectors' pseudonyms. Encrypting the new token for its
 * relying party would not help: that party, given the token by the requestor, could link them.
 * @param what the presented token's role, for the message ("subject_token", "OnBehalfOf token", ...)
 */
export function sectorRefusal(from: PairwiseName | undefined, target: RelyingParty, what: string): string | undefined {
  if (from === undefined || (target.subjectType === "pairwise" && target.sectorIdentifier === from.sector)) return undefined;
  const why =
    target.subjectType === "pairwise"
      ? "is in another sector: its token would give the subject's pseudonym there, linking the two sectors"
      : "has public subjects: its token would name the subject the pseudonym hides";
  return `The ${what} names its subject by a pairwise pseudonym, so a token made from it can only be for a relying party of the same sector, which knows the subject by that pseudonym. '${target.identifier}' ${why}.`;
}

/**
 * {@link sectorRefusal} as the refusal of the request's target: invalid_scope (OAuth
 * invalid_target, RFC 8693 §2.2.2; WS-Trust wst:InvalidScope, the AppliesTo refused).
 */
export function requireSameSector(from: PairwiseName | undefined, target: RelyingParty, what: string): void {
  const refusal = sectorRefusal(from, target, what);
  if (refusal !== undefined) throw invalidScope(refusal);
}

/** Where a pseudonym was issued: a relying party (identifier or alias), or a sector. */
export type PseudonymSite = { relyingParty: string } | { sector: string };

/**
 * The sector pseudonyms issued at `site` are for: the sector of a relying party with pairwise
 * subjects, or a sector one such party is configured with; undefined for anything else.
 */
export function pairwiseSector(ctx: StsContext, site: PseudonymSite): string | undefined {
  if ("relyingParty" in site) {
    const rp = lookupRelyingParty(ctx.config, site.relyingParty);
    return rp?.subjectType === "pairwise" ? rp.sectorIdentifier : undefined;
  }
  return ctx.config.relyingParties.some((rp) => rp.subjectType === "pairwise" && rp.sectorIdentifier === site.sector) ? site.sector : undefined;
}

/**
 * The user whose pseudonym for `sector` (under this request's issuer) is `stated`; undefined
 * when no user has it.
 *
 * A pseudonym cannot be inverted and issuance records no mapping (it stays stateless), so the
 * user is found by checking each user's pseudonym against it: one HMAC verification per user,
 * the directory read a page of names at a time. That is an administrator's occasional request,
 * never on a token's path. A partner's subject (`<issuer>#<subject>`) is held nowhere — the STS
 * learns it from a token presented to it — so it cannot be found from its pseudonym.
 */
export async function userOfPseudonym(ctx: StsContext, stated: string, sector: string): Promise<string | undefined> {
  const keys = await pairwiseKeys(secretOf(ctx));
  for await (const names of userNames(ctx)) {
    const matches = await Promise.all(names.map((name) => isPseudonymOf(keys, stated, ctx.issuer, sector, name)));
    const i = matches.indexOf(true);
    if (i >= 0) return names[i];
  }
  return undefined;
}

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
 * (introspection's `sub`) keeps the pseudonym. Issuance stays stateless: no mapping is stored.
 */
import type { RelyingParty } from "../config/types.ts";
import { MIN_SEALED_CHARS, openSeal, pairwiseKeys, pseudonym, sealSubject } from "../identity/pairwise.ts";
import { randomPartOf } from "../token/renewability.ts";
import { lookupRelyingParty } from "./relying-party.ts";
import type { StsContext } from "./types.ts";

/** What this module reads of a verified token of ours (verify-own.ts `OwnToken`). */
interface StatedToken {
  kind: string;
  id: string;
  subject: string;
  audience: string;
  pseudonym?: string | undefined;
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

/** The subject a token for `rp` states; undefined for a relying party with public subjects. */
export async function statedSubject(ctx: StsContext, rp: RelyingParty, subject: string): Promise<StatedSubject | undefined> {
  if (rp.subjectType !== "pairwise") return undefined;
  const keys = await pairwiseKeys(secretOf(ctx));
  const [stated, idPart] = await Promise.all([pseudonym(keys, ctx.issuer, rp.sectorIdentifier, subject), sealSubject(keys, subject)]);
  return { subject: stated, idPart, nameQualifier: ctx.issuer, spNameQualifier: rp.sectorIdentifier };
}

/**
 * A verified token of ours with its real subject: unchanged when its ID seals none (a token of a
 * relying party with public subjects); `pseudonym` set and `subject` the real one when it does;
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
  return { ...t, subject: real, pseudonym: t.subject };
}

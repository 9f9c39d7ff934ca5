/**
 * A token presented as evidence (RFC 8693 subject/actor tokens, WS-Trust ActAs/OnBehalfOf) →
 * who it names. Ours (SAML or JWT, verified with our keys only, then one revocation check) or
 * from a configured trusted issuer (JWT with its JWKS and algorithm allow-list, partner-jwt.ts;
 * SAML with pinned certificates, partner-saml.ts). Anything else is refused. Protocol-free:
 * adapters decode the wire form.
 */
import type { Element } from "@xmldom/xmldom";
import type { TrustedIssuer } from "../config/types.ts";
import { invalidToken } from "../errors.ts";
import { NOT_A_JWT, claimedIssuer } from "../jwt/verify.ts";
import { assertionIssuer } from "../saml/parse.ts";
import type { StateClient } from "../state/client.ts";
import { currentIdentity } from "./authenticate.ts";
import { revocationOf } from "./check.ts";
import { inOrder } from "./in-order.ts";
import { derivationLimits } from "./lifetime.ts";
import { ownMayAct } from "./may-act.ts";
import { actorFromName } from "./names.ts";
import { openEncryptedAssertion } from "./open-encrypted.ts";
import type { PresentedParty } from "./party.ts";
import { externalJwt } from "./partner-jwt.ts";
import { externalSaml } from "./partner-saml.ts";
import type { StsContext } from "./types.ts";
import { type OwnToken, type PresentedToken, isEncryptedToken, verifyOwnToken } from "./verify-own.ts";

/**
 * Verifies a SAML assertion (already safely parsed) presented as evidence and returns the party
 * it names. The claimed issuer only chooses which keys must verify it: ours, or a trusted SAML
 * issuer's pinned certificates.
 * @param what the token's role, for messages ("subject_token", "ActAs token", ...)
 * @throws StsError invalid_token
 */
export async function partyFromSaml(
  ctx: StsContext,
  state: Pick<StateClient, "status" | "rememberNonce">,
  el: Element,
  what: string,
): Promise<PresentedParty> {
  // Unverified peek at the issuer, only to choose which keys must verify the signature.
  let claimed: string;
  try {
    claimed = assertionIssuer(el);
  } catch {
    throw invalidToken(`The ${what} is not a readable SAML assertion.`);
  }
  if (claimed === ctx.issuer) return own(ctx, state, { xml: el });
  return externalSaml(ctx, state, el, trusted(ctx, claimed, "saml"));
}

/**
 * Verifies a compact JWT presented as evidence and returns the party it names: ours, or from a
 * trusted JWT issuer (its JWKS and algorithm allow-list).
 * @throws StsError invalid_token
 */
export async function partyFromJwt(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  value: string,
  what: string,
): Promise<PresentedParty> {
  // Unverified: selects the keys, nothing more (from memory when exactly these bytes verified
  // before as ours).
  const claimed = claimedIssuer(value, ctx.keys);
  if (claimed === NOT_A_JWT) throw invalidToken(`The ${what} is not a well-formed JWT.`);
  if (typeof claimed !== "string") throw invalidToken(`The ${what} has no issuer.`);
  if (claimed === ctx.issuer) return own(ctx, state, { jwt: value });
  return externalJwt(ctx, state, value, trusted(ctx, claimed, "jwt"));
}

/**
 * A presented token, SAML or JWT, and the party it names. A partner's assertion encrypted for
 * this STS (engine/open-encrypted.ts) is opened first, then verified as any other.
 */
export async function presentedParty(ctx: StsContext, state: Pick<StateClient, "status" | "rememberNonce">, presented: PresentedToken, what: string): Promise<PresentedParty> {
  if ("jwt" in presented) return partyFromJwt(ctx, state, presented.jwt, what);
  const el = isEncryptedToken(presented.xml) ? await openEncryptedAssertion(ctx, presented.xml, what, presented.saml) : presented.xml;
  return partyFromSaml(ctx, state, el, what);
}

function trusted(ctx: StsContext, issuer: string, kind: "jwt" | "saml"): TrustedIssuer {
  const t = ctx.config.trustedIssuers.find((x) => x.kind === kind && x.issuer === issuer);
  if (!t) throw invalidToken("The token was not issued by this STS or a trusted issuer.");
  return t;
}

/** Our own token: signature and window (verifyOwnToken), then one revocation check. */
async function own(ctx: StsContext, state: Pick<StateClient, "status">, presented: { xml: Element } | { jwt: string }): Promise<PresentedParty> {
  const check = await verifyOwnToken(ctx, presented);
  if (!check.ok) throw invalidToken(check.reason);
  const t = check.token;
  // The token's state object and its parties' accounts are asked together; a revoked token is
  // told it is revoked before anything about an account.
  const [, identity] = await inOrder([
    refuseRevoked(ctx, state, t),
    // The subject as the STS knows it now: a disabled user is refused, a user's claims are current.
    currentIdentity(ctx, { subject: t.subject, claims: t.claims, authnInstant: t.authnInstant, authnMethod: t.authnMethod }, t.actor),
  ]);
  return {
    identity,
    issuer: ctx.issuer,
    own: true,
    pairwise: t.pairwise,
    asActor: t.pairwise ? { sub: t.pairwise.pseudonym, realSubject: t.subject } : actorFromName(ctx, t.subject),
    act: t.actor,
    mayAct: ownMayAct(ctx, t),
    passesOn: derivationLimits(ctx.config, t),
    grantsDelegation: false,
    // Our tokens state a scope only when they grant one (never an empty one).
    scope: t.scope.length > 0 ? t.scope : undefined,
    confirmation: t.confirmation,
  };
}

/** One revocation model: cancelled through WS-Trust or revoked through RFC 7009 alike. */
async function refuseRevoked(ctx: StsContext, state: Pick<StateClient, "status">, t: OwnToken): Promise<void> {
  const s = await revocationOf(ctx, state, t);
  if (s.state === "revoked") throw invalidToken("The token has been revoked.");
}

/**
 * A token presented as evidence (RFC 8693 subject/actor tokens, WS-Trust ActAs/OnBehalfOf) →
 * who it names. Ours (SAML or JWT, verified with our keys only, then one revocation check) or
 * from a configured trusted issuer (JWT with its JWKS and algorithm allow-list, SAML with
 * pinned certificates). Anything else is refused. Protocol-free: adapters decode the wire form.
 */
import { replayKey } from "../state/state-key.ts";
import { DISABLED, currentIdentity, refuseDisabledActors, refuseDisabledSubject } from "./authenticate.ts";
import { findUser, localNameLike } from "./users.ts";
import { actorRevocation, revocationOf, subjectRevocation } from "./check.ts";
import type { Element } from "@xmldom/xmldom";
import type { TrustedIssuer } from "../config/types.ts";
import { invalidDpopProof, invalidRequest, invalidToken, notAuthorized } from "../errors.ts";
import type { Actor, Confirmation, Identity, MayAct, StsContext } from "./types.ts";
import { MALFORMED_CNF, readCnf } from "../jwt/cnf.ts";
import { type OwnToken, type PresentedToken, isEncryptedToken, verifyOwnToken, verifyTrustedAssertion } from "./verify-own.ts";
import { openEncryptedAssertion } from "./open-encrypted.ts";
import { KeyRing, KeyRingError, confirmationThumbprint } from "../keys/keyring.ts";
import { keyProblem } from "../config/errors.ts";
import { RepeatedFailureLog, logEvent } from "../web/log.ts";
import { assertionIssuer, isAudienceOf } from "../saml/parse.ts";
import { AC_UNSPECIFIED } from "../saml/ns.ts";
import type { StateClient } from "../state/client.ts";
import { identityClaims } from "../jwt/claims.ts";
import { jwtTimes, pastInstant, writableInstant } from "../token/time.ts";
import { type DerivationLimits, NO_DERIVATION_LIMITS, derivationLimits } from "./lifetime.ts";
import { chainLinks, nestChain, readActor } from "../token/actor.ts";
import { personClaims, statesBlankClaimName } from "../token/claims.ts";
import { actorFromName, actorName, nameIn, subjectOf } from "./names.ts";
import type { PairwiseName } from "./pairwise.ts";
import { type JwtRefusal, NOT_A_JWT, claimedIssuer, trustedIssuerKeys, verifyJwt } from "../jwt/verify.ts";

/** A verified subject or actor token. */
export interface PresentedParty {
  /** Who the token names; `identity.subject` is our name for it (src/engine/names.ts). */
  identity: Identity;
  /** Who issued the token (our issuer, or a trusted issuer's identifier). */
  issuer: string;
  own: boolean;
  /**
   * A pairwise token's pseudonym and sector (src/engine/pairwise.ts): what is made from it stays
   * in that sector (`requireSameSector`). Undefined for a token that names its subject.
   */
  pairwise: PairwiseName | undefined;
  /**
   * This party as a link of a delegation chain (RFC 8693 §4.1: `sub`, and `iss` when not ours);
   * a pairwise token's holder by its pseudonym, as the only relying parties it may act at know it.
   */
  asActor: Actor;
  /** The delegation chain the token already carries (RFC 8693 §4.1). */
  act: Actor | undefined;
  mayAct: MayAct | undefined;
  /** What the token passes on to a token derived from it (lifetime.ts). */
  passesOn: DerivationLimits;
  /**
   * Whether the token's `may_act` may grant delegation over WS-Trust: a trusted issuer's
   * configured with `grantsDelegation`. Never ours: a `may_act` in ours was carried from the
   * token it was made from, whose issuer may only have restricted. Any `may_act` restricts an
   * exchange's actor.
   */
  grantsDelegation: boolean;
  /** The OAuth scope the token carries: a ceiling for what is issued from it; undefined: none. */
  scope: string[] | undefined;
  /** The key the token is bound to (a JWT's `cnf`); undefined for a bearer token. */
  confirmation: Confirmation | undefined;
}

/**
 * RFC 9449 §7.1, RFC 7800 §3: a token bound to a key is good only with a proof of that key.
 * Whoever presents one as evidence for a new token must prove it, or the new token would be a
 * bearer copy of a bound one.
 * - OAuth token exchange (`proof`: the verified DPoP proof's thumbprint; undefined without one),
 *   where holding the token is the client's only right to its subject: the proof must be made
 *   with the key — a DPoP binding's `jkt`, or a public key's (holder-of-key SAML, JWT `cnf.jwk`)
 *   RFC 7638 thumbprint. A symmetric key cannot be proved there at all.
 * - WS-Trust (`proof` null) carries no DPoP proof, so a DPoP-bound token cannot serve there. A
 *   holder-of-key token can: OnBehalfOf and ActAs are how a service passes on the token whose
 *   key its caller proved to it, and the service's right to that subject is the authorization
 *   rule's, not possession of the token.
 * @param what the token's role, for messages ("subject_token", "OnBehalfOf token", ...)
 * @throws StsError invalid_dpop_proof or invalid_token (OAuth), invalid_request (WS-Trust)
 */
export async function requireKeyProof(confirmation: Confirmation | undefined, proof: { jkt: string } | undefined | null, what: string): Promise<void> {
  if (confirmation === undefined) return;
  if (confirmation.method === "dpop") {
    if (proof === null) throw invalidRequest(`The ${what} is bound to a DPoP key; WS-Trust cannot carry a DPoP proof, so it cannot be used here. Use OAuth token exchange with a DPoP proof.`);
    if (proof === undefined) throw invalidDpopProof(`The ${what} is DPoP-bound: send a DPoP proof made with its key.`);
    if (proof.jkt !== (await confirmationThumbprint(confirmation))) throw invalidDpopProof(`The DPoP proof was not made with the key the ${what} is bound to.`);
    return;
  }
  if (proof === null) return;
  if (confirmation.method === "symmetric") {
    throw invalidToken(`The ${what} is bound to a symmetric proof key, which token exchange has no way to prove: present it where its key is proved (WS-Trust), or a token not bound to a key.`);
  }
  if (proof === undefined) throw invalidDpopProof(`The ${what} is bound to a key: send a DPoP proof made with it.`);
  if (proof.jkt !== (await confirmationThumbprint(confirmation))) throw invalidDpopProof(`The DPoP proof was not made with the key the ${what} is bound to.`);
}

const REQUIRED_EXTERNAL = ["sub", "exp"];

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
  const s = await revocationOf(ctx, state, t);
  // One revocation model: cancelled through WS-Trust or revoked through RFC 7009 alike.
  if (s.state === "revoked") throw invalidToken("The token has been revoked.");
  return {
    // The subject as the STS knows it now: a disabled user is refused, a user's claims are current.
    identity: await currentIdentity(ctx, { subject: t.subject, claims: t.claims, authnInstant: t.authnInstant, authnMethod: t.authnMethod }, t.actor),
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

/**
 * When the subject of a trusted issuer's JWT authenticated: `auth_time`, else `iat`, else now.
 * Every time claim must be an integer NumericDate we could write (not `1e20`, not
 * milliseconds), and neither `iat` nor `auth_time` may lie in the future beyond the issuer's
 * skew: an authentication time is what the maximum total lifetime counts from.
 */
function externalAuthnInstant(times: ReturnType<typeof jwtTimes>, now: Date, skewMs: number): Date {
  const refused = () => invalidToken("The token from the trusted issuer states an impossible time (iat, nbf, exp or auth_time).");
  if (!times) throw refused();
  const iat = times.iat && pastInstant(times.iat, now, skewMs);
  const authTime = times.authTime && pastInstant(times.authTime, now, skewMs);
  if ((times.iat && !iat) || (times.authTime && !authTime)) throw refused();
  return authTime ?? iat ?? now;
}

/** Per isolate and JWKS URI: the first failure at once, then one line a minute, then the recovery. */
const jwksOutages = new RepeatedFailureLog();

/**
 * A trusted issuer's jwksUri gave no key set: every token of that issuer is refused until it
 * does, which only the operator can fix (the partner's endpoint, a firewall, a typo'd URI), so
 * it is logged with the issuer, the URI and why.
 */
function keysUnavailable(ctx: StsContext, t: TrustedIssuer, why: string | undefined): void {
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
function keysAvailable(ctx: StsContext, t: TrustedIssuer): void {
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

/** What a client is told when a trusted issuer's JWT is refused before its signature is checked. */
const EXTERNAL_REFUSALS: Partial<Record<JwtRefusal, string>> = {
  malformed: "The token is not a well-formed JWT.",
  "key-choosing-header": "The token names its own key; keys come from configuration.",
  algorithm: "The token's algorithm is not allowed for its issuer.",
};

/**
 * A trusted issuer's JWT: its JWKS and algorithm allow-list (src/jwt/verify.ts; `none` and HMAC
 * never pass), its audience for us, its clock skew; `sub` and `exp` required.
 */
async function externalJwt(ctx: StsContext, state: Pick<StateClient, "status">, value: string, t: TrustedIssuer): Promise<PresentedParty> {
  const r = await verifyJwt(value, trustedIssuerKeys(t), {
    issuer: t.issuer,
    audience: t.expectedAudience ?? ctx.issuer,
    requiredClaims: REQUIRED_EXTERNAL,
    now: ctx.now(),
    skewSeconds: t.clockSkewSeconds,
  });
  // Only a verified token proves the set was had: other refusals may come before the fetch.
  if (r.ok) keysAvailable(ctx, t);
  if (!r.ok) {
    if (r.refusal === "keys-unavailable") {
      keysUnavailable(ctx, t, r.cause);
      throw invalidToken("The trusted issuer's published keys could not be fetched, so the token could not be checked; try again later.");
    }
    throw invalidToken(EXTERNAL_REFUSALS[r.refusal] ?? "The token from the trusted issuer did not verify (signature, audience or time window).");
  }
  const payload = r.payload;
  // The rule a partner's SAML attribute names answer to (src/saml/parse.ts): every member of a
  // JWT payload is a claim (RFC 7519 §4), and so is every member of its `act` and `may_act`
  // (RFC 8693 §4.1, §4.4); one named by a blank would be carried on nameless.
  if (statesBlankClaimName(payload)) {
    throw invalidToken("The token from the trusted issuer states a claim with an empty name (a claim name holds a non-whitespace character).");
  }
  const now = ctx.now();
  const times = jwtTimes(payload);
  const authnInstant = externalAuthnInstant(times, now, t.clockSkewSeconds * 1000);
  // A trusted issuer's bound token is bound for us too (RFC 9449 §7.1); unreadable: refused.
  const confirmation = readCnf(payload.cnf);
  if (confirmation === MALFORMED_CNF) throw invalidToken("The token from the trusted issuer has a cnf claim this STS cannot read.");
  const sub = await localSubject(ctx, t, payload.sub!);
  const subject = subjectOf(t, sub);
  // Without a jti, the signature stands for the token in the read lease's key. `exp` is required
  // (REQUIRED_EXTERNAL) and was read as a NumericDate (externalAuthnInstant refuses otherwise).
  const id = typeof payload.jti === "string" ? payload.jti : value.slice(value.lastIndexOf(".") + 1);
  await refuseRevokedSubject(ctx, state, t, subject, { id, issuedAt: authnInstant, authnInstant, expires: times!.exp! });
  // A link without `iss` is named by this issuer (RFC 8693 §4.1); in a token of ours it would
  // name one of ours, so it is written with its issuer.
  const act = await ourChain(ctx, readActor(payload.act, t.localSubjects ? undefined : t.issuer));
  // The chain's parties of ours answer to the rules a chain of our own tokens does when
  // presented (`currentIdentity`, `revocationOf`): a disabled user acting in the token gets
  // nothing made from it, nor one whose tokens were revoked after this token was issued (its
  // `iat`: when its actors acted).
  if (act !== undefined) {
    const [, revoked] = await Promise.all([
      refuseDisabledActors(ctx, act),
      actorRevocation(ctx, state, { actor: act, id: `${t.issuer} ${id}`, issuedAt: times!.iat ?? authnInstant, authnInstant, expires: times!.exp! }),
    ]);
    if (revoked !== undefined) throw invalidToken("A party acting in the token has had its tokens revoked here since the token was issued.");
  }
  const mayAct = mayActOf(ctx, payload.may_act, t);
  return {
    identity: {
      subject,
      claims: identityClaims(payload),
      authnInstant,
      authnMethod: AC_UNSPECIFIED,
    },
    issuer: t.issuer,
    own: false,
    pairwise: undefined,
    asActor: externalActor(t, sub),
    act,
    mayAct: t.localSubjects && mayAct?.name !== undefined ? { name: await storedName(ctx, mayAct.name) } : mayAct,
    passesOn: NO_DERIVATION_LIMITS,
    grantsDelegation: t.grantsDelegation,
    scope: scopeOf(payload.scope),
    confirmation,
  };
}

/**
 * The subject a trusted issuer names, as that issuer's `sub`. An issuer whose subjects are ours
 * (`localSubjects`) names our users: as the user's own name when it writes one that looks the same
 * (`ALICE`, as AD FS states the name a user typed: Active Directory ignores case) — otherwise the
 * token would state a second name for alice, which neither her revocation state nor her disabled
 * account would reach — and a disabled one gets no token from its tokens either, as from ours
 * (`currentIdentity`). The claims stay the issuer's, which is what mapping its subjects promises.
 * An issuer in its own namespace names no user of ours, so nothing is looked up.
 */
async function localSubject(ctx: StsContext, t: TrustedIssuer, sub: string): Promise<string> {
  if (!t.localSubjects) return sub;
  // The name as written first: a user's own name costs the one look-up it always did.
  const user = await findUser(ctx, sub);
  if (user !== undefined) {
    if (!user.enabled) throw notAuthorized(DISABLED);
    return sub;
  }
  const name = await localNameLike(ctx, sub);
  if (name === undefined) return sub;
  await refuseDisabledSubject(ctx, name);
  return name;
}

/**
 * The name a user of ours is stored under, for a name an issuer whose subjects are ours writes
 * (`ALICE` → `alice`, as {@link localSubject}); as written when it looks like no user of ours.
 */
async function storedName(ctx: StsContext, name: string): Promise<string> {
  if ((await findUser(ctx, name)) !== undefined) return name;
  return (await localNameLike(ctx, name)) ?? name;
}

/**
 * A trusted issuer's `act` chain with each party of ours named as stored: otherwise `BOB` acting
 * would be a second name for bob, which neither his disabled account nor his revocation reaches,
 * and which no `may_act` naming bob matches.
 */
async function ourChain(ctx: StsContext, act: Actor | undefined): Promise<Actor | undefined> {
  if (act === undefined) return undefined;
  const links = chainLinks(act);
  const named = await Promise.all(links.map(async (l) => (actorName(ctx, l) === l.sub ? { ...l, sub: await storedName(ctx, l.sub) } : l)));
  return named.every((l, i) => l.sub === links[i]!.sub) ? act : nestChain(named);
}

/**
 * A trusted issuer's token authenticated its subject before that subject's tokens were revoked
 * here (check.ts `subjectRevocation`): refused as a revoked token of ours is, rather than made
 * into a token revoked from birth. The ID is the issuer's, kept apart from ours by the issuer.
 */
async function refuseRevokedSubject(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  t: TrustedIssuer,
  subject: string,
  token: { id: string; issuedAt: Date; authnInstant: Date; expires: Date },
): Promise<void> {
  const s = await subjectRevocation(ctx, state, subject, { ...token, id: `${t.issuer} ${token.id}` });
  if (s.state === "revoked") throw invalidToken("The token's subject has had its tokens revoked here since this token's authentication: present a token of a newer sign-in.");
}

/** A trusted issuer's subject as a chain link: with its issuer, unless its names are ours. */
function externalActor(t: TrustedIssuer, sub: string): Actor {
  return t.localSubjects ? { sub } : { sub, iss: t.issuer };
}

/**
 * A JWT's `scope` (RFC 8693 §4.2: space-separated; an array of strings is read as the list).
 * Present but of another type: a ceiling nothing fits under (fail closed).
 */
function scopeOf(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") return v.split(" ").filter(Boolean);
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return [];
}

const pinned = new WeakMap<TrustedIssuer, Promise<KeyRing>>();

/**
 * The issuer's pinned certificates as verify-only keys, imported once per isolate. Configuration
 * has read each of them at start; should the key ring still refuse one, that is the operator's
 * to fix (logged as config_invalid, naming the field) and, for the requestor, a token that
 * cannot be verified: never an internal error.
 */
async function pinnedKeys(ctx: StsContext, t: TrustedIssuer): Promise<KeyRing> {
  let p = pinned.get(t);
  if (!p) {
    const field = `trustedIssuers[${ctx.config.trustedIssuers.indexOf(t)}].certificates`;
    p = KeyRing.load(t.certificates.map((pem) => ({ status: "previous" as const, certificatePem: pem })), field);
    // Kept, failed or not, like the configuration it comes from; so logged once.
    p.catch((e: unknown) => {
      if (e instanceof KeyRingError) logEvent({ level: "error", event: "config_invalid", problems: [keyProblem(ctx.config.root, e.message)] });
    });
    pinned.set(t, p);
  }
  try {
    return await p;
  } catch (e) {
    if (!(e instanceof KeyRingError)) throw e;
    throw invalidToken("The token's issuer is trusted with certificates this STS cannot use, so the token cannot be verified.");
  }
}

async function externalSaml(ctx: StsContext, state: Pick<StateClient, "status" | "rememberNonce">, el: Element, t: TrustedIssuer): Promise<PresentedParty> {
  const v = await verifyTrustedAssertion(el, await pinnedKeys(ctx, t));
  if (!v.ok) throw invalidToken(v.reason);
  const f = v.facts;
  const now = ctx.now().getTime();
  const skew = t.clockSkewSeconds * 1000;
  if (f.issuer !== t.issuer) throw invalidToken("The SAML token issuer changed under the signature.");
  if (!isAudienceOf(f, t.expectedAudience ?? ctx.issuer)) throw invalidToken("The SAML token is not meant for this STS.");
  if (!f.expires) throw invalidToken("The SAML token states no expiry (Conditions NotOnOrAfter): only a token that expires is accepted.");
  if (f.expires.getTime() <= now - skew) throw invalidToken("The SAML token has expired.");
  if (f.notBefore && f.notBefore.getTime() > now + skew) throw invalidToken("The SAML token is not yet valid.");
  // SAML 2.0 core §2.7.2: after SessionNotOnOrAfter the session the authentication began is over.
  if (f.sessionEnds && f.sessionEnds.getTime() <= now - skew) throw invalidToken("The SAML token's authentication session has ended (AuthnStatement SessionNotOnOrAfter).");
  // SAML 2.0 core §2.5.1.6: an assertion with a ProxyRestriction may be the basis of new
  // assertions only as far as it allows, each carrying the restriction on, which a token issued
  // here would not; any other condition not understood leaves the assertion's validity
  // Indeterminate (§2.5.1), and such an assertion is not relied on.
  const other = f.otherConditions[0];
  if (other === "ProxyRestriction") throw invalidToken("The SAML token restricts what may be issued on its basis (ProxyRestriction); this STS issues tokens on the basis of the tokens presented to it, so it cannot accept one.");
  if (other !== undefined) throw invalidToken(`The SAML token states a condition this STS does not understand (${other.slice(0, 64)}), so its validity cannot be determined.`);
  // SAML 2.0 core §2.4.1.2: outside its SubjectConfirmationData's times the subject cannot be
  // confirmed, however long the Conditions run (an identity provider keeps the bearer window
  // short so that a captured assertion is soon useless). Every confirmation stated must be
  // within its times, not just the one relied on: stricter, and the same for every caller.
  for (const w of f.confirmationWindows) {
    if (w.notOnOrAfter && w.notOnOrAfter.getTime() <= now - skew) throw invalidToken("The SAML token's subject confirmation has expired (SubjectConfirmationData NotOnOrAfter).");
    if (w.notBefore && w.notBefore.getTime() > now + skew) throw invalidToken("The SAML token's subject confirmation is not yet valid (SubjectConfirmationData NotBefore).");
  }
  // Times were read by the strict xs:dateTime parser; an issue or authentication instant must
  // also have happened (within the issuer's skew, then taken as now), and every time must be
  // one we could write again.
  const at = new Date(now);
  const issuedAt = pastInstant(f.issuedAt, at, skew);
  const authnInstant = f.authnInstant ? pastInstant(f.authnInstant, at, skew) : issuedAt;
  if (!issuedAt || !authnInstant || !writableInstant(f.expires) || (f.notBefore && !writableInstant(f.notBefore))) {
    throw invalidToken("The SAML token states an impossible time (IssueInstant, AuthnInstant, NotBefore or NotOnOrAfter).");
  }
  const sub = await localSubject(ctx, t, f.subject);
  const subject = subjectOf(t, sub);
  await refuseRevokedSubject(ctx, state, t, subject, { id: f.id, issuedAt, authnInstant, expires: f.expires });
  // SAML 2.0 core §2.5.1.5: a OneTimeUse assertion is used once; its use is remembered until it
  // expires (then it is refused as expired anyway), under its issuer and ID. Last, so only an
  // assertion good in every other way is spent.
  if (f.oneTimeUse && !(await state.rememberNonce(replayKey("saml-one-time-use", t.issuer, f.id), f.expires.getTime() + skew))) {
    throw invalidToken("The SAML token may be used only once (Conditions OneTimeUse), and it has been used before.");
  }
  return {
    identity: {
      subject,
      // Attributes with a protocol meaning (our `actor`, `scope`, `client_id`, ...) are facts
      // only in our own signed tokens, never attributes of a person from elsewhere.
      claims: personClaims(f.claims),
      authnInstant,
      authnMethod: f.authnMethod ?? AC_UNSPECIFIED,
    },
    issuer: t.issuer,
    own: false,
    pairwise: undefined,
    asActor: externalActor(t, sub),
    act: undefined,
    mayAct: undefined,
    passesOn: NO_DERIVATION_LIMITS,
    grantsDelegation: false,
    // The scope attribute is how our own assertions carry an OAuth grant; SAML has no scope of
    // its own, so in another issuer's assertion it is only an attribute, neither a limit nor a grant.
    scope: undefined,
    confirmation: undefined,
  };
}

/** The `may_act` a token of ours states (JWT claim or SAML attribute), as our name for the party. */
export function ownMayAct(ctx: StsContext, t: OwnToken): MayAct | undefined {
  return mayActOf(ctx, t.mayAct, undefined);
}

/**
 * A JWT's `may_act` claim value → our name for the party it names. Our own tokens may name any
 * party we know; a trusted issuer names only parties of its own namespace (an `iss` other than
 * its own names nobody).
 */
function mayActOf(ctx: StsContext, m: unknown, from: TrustedIssuer | undefined): MayAct | undefined {
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

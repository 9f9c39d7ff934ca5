/**
 * A trusted issuer's SAML assertion presented as evidence → the party it names: verified only
 * with the certificates configuration pins for that issuer, then its audience, times and
 * conditions, its subject named as we name it and asked for its revocations here.
 */
import type { Element } from "@xmldom/xmldom";
import type { TrustedIssuer } from "../config/types.ts";
import { keyProblem } from "../config/errors.ts";
import { invalidToken } from "../errors.ts";
import { KeyRing, KeyRingError } from "../keys/keyring.ts";
import { AC_UNSPECIFIED } from "../saml/ns.ts";
import { isAudienceOf } from "../saml/parse.ts";
import type { StateClient } from "../state/client.ts";
import { replayKey } from "../state/state-key.ts";
import { personClaims } from "../token/claims.ts";
import { pastInstant, writableInstant } from "../token/time.ts";
import { logEvent } from "../web/log.ts";
import { NO_DERIVATION_LIMITS } from "./lifetime.ts";
import { subjectOf } from "./names.ts";
import type { PresentedParty } from "./party.ts";
import { checkedSubject, externalActor } from "./partner-subject.ts";
import type { StsContext } from "./types.ts";
import { verifyTrustedAssertion } from "./verify-own.ts";

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

/**
 * A trusted issuer's SAML assertion (already opened if it was encrypted for us): signed with one
 * of the issuer's pinned certificates, for us, within its times and its subject confirmation's,
 * with no condition we do not understand, and a OneTimeUse one not used before.
 * @throws StsError invalid_token; not_authorized for a disabled user of ours
 */
export async function externalSaml(ctx: StsContext, state: Pick<StateClient, "status" | "rememberNonce">, el: Element, t: TrustedIssuer): Promise<PresentedParty> {
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
  const sub = await checkedSubject(ctx, state, t, f.subject, { id: f.id, issuedAt, authnInstant, expires: f.expires });
  const subject = subjectOf(t, sub);
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

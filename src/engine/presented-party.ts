/**
 * A token presented as evidence (RFC 8693 subject/actor tokens, WS-Trust ActAs/OnBehalfOf) →
 * who it names. Ours (SAML or JWT, verified with our keys only, then one revocation check) or
 * from a configured trusted issuer (JWT with its JWKS and algorithm allow-list, SAML with
 * pinned certificates). Anything else is refused. Protocol-free: adapters decode the wire form.
 */
import { tokenRef } from "./check.ts";
import type { Element } from "@xmldom/xmldom";
import type { TrustedIssuer } from "../config/types.ts";
import { invalidToken } from "../errors.ts";
import type { Actor, Identity, StsContext } from "./types.ts";
import { type PresentedToken, verifyOwnToken } from "./verify-own.ts";
import { KeyRing } from "../keys/keyring.ts";
import { readAssertion } from "../saml/parse.ts";
import type { StateClient } from "../state/client.ts";
import { verifyEnveloped } from "../xmldsig/verify.ts";
import { identityClaims } from "../jwt/claims.ts";
import { jwtTimes, pastInstant, writableInstant } from "../token/time.ts";
import { type DerivationLimits, NO_DERIVATION_LIMITS, derivationLimits } from "./lifetime.ts";
import { type JwtRefusal, NOT_A_JWT, claimedIssuer, trustedIssuerKeys, verifyJwt } from "../jwt/verify.ts";

/** RFC 8693 §4.4 `may_act`: who may act for the subject. */
export interface MayAct {
  sub?: string;
  iss?: string;
}

/** A verified subject or actor token. */
export interface PresentedParty {
  identity: Identity;
  /** Who issued the token (our issuer, or a trusted issuer's identifier). */
  issuer: string;
  own: boolean;
  /** The delegation chain the token already carries (RFC 8693 §4.1). */
  act: Actor | undefined;
  mayAct: MayAct | undefined;
  /** What the token passes on to a token derived from it (lifetime.ts). */
  passesOn: DerivationLimits;
}

const UNSPECIFIED_AUTHN = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified";
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
  state: Pick<StateClient, "status">,
  el: Element,
  what: string,
): Promise<PresentedParty> {
  // Unverified peek at the issuer, only to choose which keys must verify the signature.
  let claimed: string;
  try {
    claimed = readAssertion(el).issuer;
  } catch {
    throw invalidToken(`The ${what} is not a readable SAML assertion.`);
  }
  if (claimed === ctx.issuer) return own(ctx, state, { xml: el }, undefined);
  return externalSaml(ctx, el, trusted(ctx, claimed, "saml"));
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
  if (claimed === ctx.issuer) return own(ctx, state, { jwt: value }, value);
  return externalJwt(ctx, value, trusted(ctx, claimed, "jwt"));
}

/** A presented token, SAML or JWT, and the party it names. */
export function presentedParty(ctx: StsContext, state: Pick<StateClient, "status">, presented: PresentedToken, what: string): Promise<PresentedParty> {
  return "xml" in presented ? partyFromSaml(ctx, state, presented.xml, what) : partyFromJwt(ctx, state, presented.jwt, what);
}

function trusted(ctx: StsContext, issuer: string, kind: "jwt" | "saml"): TrustedIssuer {
  const t = ctx.config.trustedIssuers.find((x) => x.kind === kind && x.issuer === issuer);
  if (!t) throw invalidToken("The token was not issued by this STS or a trusted issuer.");
  return t;
}

/** Our own token: signature and window (verifyOwnToken), then one revocation check. */
async function own(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  presented: { xml: Element } | { jwt: string },
  jwt: string | undefined,
): Promise<PresentedParty> {
  const check = await verifyOwnToken(ctx, presented);
  if (!check.ok) throw invalidToken(check.reason);
  const t = check.token;
  const s = await state.status({ issuer: ctx.issuer, subject: t.subject }, tokenRef(t));
  // One revocation model: cancelled through WS-Trust or revoked through RFC 7009 alike.
  if (s.state === "revoked") throw invalidToken("The token has been revoked.");
  return {
    identity: { subject: t.subject, claims: t.claims, authnInstant: t.authnInstant, authnMethod: t.authnMethod },
    issuer: ctx.issuer,
    own: true,
    act: t.actor,
    // The signature verified above, so reading the payload again is safe.
    mayAct: jwt === undefined ? undefined : mayActOf(t.mayAct),
    passesOn: derivationLimits(ctx.config, t),
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
async function externalJwt(ctx: StsContext, value: string, t: TrustedIssuer): Promise<PresentedParty> {
  const r = await verifyJwt(value, trustedIssuerKeys(t), {
    issuer: t.issuer,
    audience: t.expectedAudience ?? ctx.issuer,
    requiredClaims: REQUIRED_EXTERNAL,
    now: ctx.now(),
    skewSeconds: t.clockSkewSeconds,
  });
  if (!r.ok) throw invalidToken(EXTERNAL_REFUSALS[r.refusal] ?? "The token from the trusted issuer did not verify (signature, audience or time window).");
  const payload = r.payload;
  const now = ctx.now();
  const authnInstant = externalAuthnInstant(jwtTimes(payload), now, t.clockSkewSeconds * 1000);
  return {
    identity: {
      subject: payload.sub!,
      claims: identityClaims(payload),
      authnInstant,
      authnMethod: UNSPECIFIED_AUTHN,
    },
    issuer: t.issuer,
    own: false,
    act: actorOf(payload.act),
    mayAct: mayActOf(payload.may_act),
    passesOn: NO_DERIVATION_LIMITS,
  };
}

const pinned = new WeakMap<TrustedIssuer, Promise<KeyRing>>();

/** The issuer's pinned certificates as verify-only keys, imported once per isolate. */
function pinnedKeys(t: TrustedIssuer): Promise<KeyRing> {
  let p = pinned.get(t);
  if (!p) {
    p = KeyRing.load(t.certificates.map((pem) => ({ status: "previous" as const, certificatePem: pem })));
    pinned.set(t, p);
  }
  return p;
}

async function externalSaml(ctx: StsContext, el: Element, t: TrustedIssuer): Promise<PresentedParty> {
  const v = await verifyEnveloped(el, { keys: (await pinnedKeys(t)).all() });
  if (!v.ok) throw invalidToken(`The SAML token signature is not valid: ${v.reason}`);
  const f = readAssertion(v.signedElement);
  const now = ctx.now().getTime();
  const skew = t.clockSkewSeconds * 1000;
  if (f.issuer !== t.issuer) throw invalidToken("The SAML token issuer changed under the signature.");
  if (!f.audiences.includes(t.expectedAudience ?? ctx.issuer)) throw invalidToken("The SAML token is not meant for this STS.");
  if (!f.expires || f.expires.getTime() <= now - skew) throw invalidToken("The SAML token has expired.");
  if (f.notBefore && f.notBefore.getTime() > now + skew) throw invalidToken("The SAML token is not yet valid.");
  // Times were read by the strict xs:dateTime parser; an issue or authentication instant must
  // also have happened (within the issuer's skew, then taken as now), and every time must be
  // one we could write again.
  const at = new Date(now);
  const issuedAt = pastInstant(f.issuedAt, at, skew);
  const authnInstant = f.authnInstant ? pastInstant(f.authnInstant, at, skew) : issuedAt;
  if (!issuedAt || !authnInstant || !writableInstant(f.expires) || (f.notBefore && !writableInstant(f.notBefore))) {
    throw invalidToken("The SAML token states an impossible time (IssueInstant, AuthnInstant, NotBefore or NotOnOrAfter).");
  }
  return {
    identity: {
      subject: f.subject,
      claims: f.claims,
      authnInstant,
      authnMethod: f.authnMethod ?? UNSPECIFIED_AUTHN,
    },
    issuer: t.issuer,
    own: false,
    act: undefined,
    mayAct: undefined,
    passesOn: NO_DERIVATION_LIMITS,
  };
}

/** A well-formed `act` chain (RFC 8693 §4.1), depth-limited; anything else is dropped. */
function actorOf(v: unknown, depth = 0): Actor | undefined {
  if (depth > 8 || typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.sub !== "string") return undefined;
  const inner = actorOf(o.act, depth + 1);
  return { sub: o.sub, ...(typeof o.iss === "string" ? { iss: o.iss } : {}), ...(inner ? { act: inner } : {}) };
}

/** A JWT's `may_act` claim value → the constraint it states. */
function mayActOf(m: unknown): MayAct | undefined {
  if (m === undefined) return undefined;
  // Present but malformed: keep it as a constraint nobody satisfies (fail closed).
  if (typeof m !== "object" || m === null) return {};
  const o = m as Record<string, unknown>;
  return { ...(typeof o.sub === "string" ? { sub: o.sub } : {}), ...(typeof o.iss === "string" ? { iss: o.iss } : {}) };
}

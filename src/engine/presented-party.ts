/**
 * A token presented as evidence (RFC 8693 subject/actor tokens, WS-Trust ActAs/OnBehalfOf) →
 * who it names. Ours (SAML or JWT, verified with our keys only, then one revocation check) or
 * from a configured trusted issuer (JWT with its JWKS and algorithm allow-list, SAML with
 * pinned certificates). Anything else is refused. Protocol-free: adapters decode the wire form.
 */
import type { Element } from "@xmldom/xmldom";
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import type { JWTPayload } from "jose";
import type { TrustedIssuer } from "../config/types.ts";
import { invalidToken } from "../errors.ts";
import type { Actor, Identity, StsContext } from "./types.ts";
import { type PresentedToken, verifyOwnToken } from "./verify-own.ts";
import { KeyRing } from "../keys/keyring.ts";
import { readAssertion } from "../saml/parse.ts";
import type { StateClient } from "../state/client.ts";
import { verifyEnveloped } from "../xmldsig/verify.ts";
import { lookupVerified } from "../jwt/verified-cache.ts";

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
}

const UNSPECIFIED_AUTHN = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified";
const KEY_CHOOSING_HEADERS = ["jku", "x5u", "jwk", "x5c"];
const RESERVED = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", "client_id", "act", "may_act", "auth_time", "cnf", "azp", "nonce", "at_hash", "c_hash", "sid"]);

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
  // Exactly these bytes verified before as ours: the issuer is known without decoding again.
  let claimed: unknown = lookupVerified(ctx.keys, value)?.issuer;
  if (claimed === undefined) {
    try {
      claimed = decodeJwt(value).iss; // unverified: selects the keys, nothing more
    } catch {
      throw invalidToken(`The ${what} is not a well-formed JWT.`);
    }
  }
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
  const s = await state.status({ issuer: ctx.issuer, subject: t.subject }, { id: t.id, issuedAt: t.issuedAt.getTime(), expiresAt: t.expires.getTime() });
  // One revocation model: cancelled through WS-Trust or revoked through RFC 7009 alike.
  if (s.state === "revoked") throw invalidToken("The token has been revoked.");
  return {
    identity: { subject: t.subject, claims: t.claims, authnInstant: t.authnInstant, authnMethod: t.authnMethod },
    issuer: ctx.issuer,
    own: true,
    act: t.actor,
    // The signature verified above, so reading the payload again is safe.
    mayAct: jwt === undefined ? undefined : mayActOf(t.mayAct),
  };
}

const remoteSets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
const localSets = new WeakMap<TrustedIssuer, ReturnType<typeof createLocalJWKSet>>();

/** JWKS per trusted issuer, once per isolate; a remote set refetches on an unknown kid. */
function keySetFor(t: TrustedIssuer) {
  if (t.jwks) {
    let s = localSets.get(t);
    if (!s) localSets.set(t, (s = createLocalJWKSet(t.jwks as Parameters<typeof createLocalJWKSet>[0])));
    return s;
  }
  const uri = t.jwksUri!;
  let s = remoteSets.get(uri);
  if (!s) remoteSets.set(uri, (s = createRemoteJWKSet(new URL(uri), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 })));
  return s;
}

async function externalJwt(ctx: StsContext, value: string, t: TrustedIssuer): Promise<PresentedParty> {
  let header;
  try {
    header = decodeProtectedHeader(value);
  } catch {
    throw invalidToken("The token is not a well-formed JWT.");
  }
  // RFC 8725 §3.1, §3.10: the issuer's allow-list decides the algorithm; the token never
  // chooses its own key. `none` and HMAC are never on the allow-list (config refuses them).
  if (typeof header.alg !== "string" || !(t.algorithms as string[]).includes(header.alg)) throw invalidToken("The token's algorithm is not allowed for its issuer.");
  if (KEY_CHOOSING_HEADERS.some((h) => h in header)) throw invalidToken("The token names its own key; keys come from configuration.");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(value, keySetFor(t), {
      issuer: t.issuer,
      audience: t.expectedAudience ?? ctx.issuer,
      algorithms: t.algorithms,
      currentDate: ctx.now(),
      clockTolerance: t.clockSkewSeconds,
      requiredClaims: ["sub", "exp"],
    }));
  } catch {
    throw invalidToken("The token from the trusted issuer did not verify (signature, audience or time window).");
  }
  const claims: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (RESERVED.has(k)) continue;
    if (typeof v === "string") claims[k] = [v];
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) claims[k] = v as string[];
  }
  const when = typeof payload.auth_time === "number" ? payload.auth_time : payload.iat;
  return {
    identity: {
      subject: payload.sub!,
      claims,
      authnInstant: typeof when === "number" ? new Date(when * 1000) : ctx.now(),
      authnMethod: UNSPECIFIED_AUTHN,
    },
    issuer: t.issuer,
    own: false,
    act: actorOf(payload.act),
    mayAct: mayActOf(payload.may_act),
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
  return {
    identity: {
      subject: f.subject,
      claims: f.claims,
      authnInstant: f.authnInstant ?? f.issuedAt,
      authnMethod: f.authnMethod ?? UNSPECIFIED_AUTHN,
    },
    issuer: t.issuer,
    own: false,
    act: undefined,
    mayAct: undefined,
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

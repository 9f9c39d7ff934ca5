/**
 * A trusted issuer's JWT presented as evidence → the party it names: verified with the issuer's
 * JWKS and algorithm allow-list, its subject, actor chain and `may_act` named as we name them,
 * and each party of ours in it asked for its revocations and its account.
 */
import type { TrustedIssuer } from "../config/types.ts";
import { invalidToken } from "../errors.ts";
import { identityClaims } from "../jwt/claims.ts";
import { MALFORMED_CNF, readCnf } from "../jwt/cnf.ts";
import { type JwtRefusal, trustedIssuerKeys, verifyJwt } from "../jwt/verify.ts";
import { AC_UNSPECIFIED } from "../saml/ns.ts";
import type { StateClient } from "../state/client.ts";
import { chainLinks, nestChain, readActor } from "../token/actor.ts";
import { statesBlankClaimName } from "../token/claims.ts";
import { jwtTimes, pastInstant } from "../token/time.ts";
import { refuseDisabledActors } from "./authenticate.ts";
import { actorRevocation } from "./check.ts";
import { inOrder } from "./in-order.ts";
import { keysAvailable, keysUnavailable } from "./jwks-outage.ts";
import { NO_DERIVATION_LIMITS } from "./lifetime.ts";
import { mayActOf } from "./may-act.ts";
import { actorName, subjectOf } from "./names.ts";
import type { PresentedParty } from "./party.ts";
import { type TokenTimes, checkedSubject, externalActor, storedName } from "./partner-subject.ts";
import type { Actor, MayAct, StsContext } from "./types.ts";

const REQUIRED_EXTERNAL = ["sub", "exp"];

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
 * @throws StsError invalid_token; not_authorized for a disabled user of ours
 */
export async function externalJwt(ctx: StsContext, state: Pick<StateClient, "status">, value: string, t: TrustedIssuer): Promise<PresentedParty> {
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
  // Without a jti, the signature stands for the token in the read lease's key. `exp` is required
  // (REQUIRED_EXTERNAL) and was read as a NumericDate (externalAuthnInstant refuses otherwise).
  const id = typeof payload.jti === "string" ? payload.jti : value.slice(value.lastIndexOf(".") + 1);
  // The subject, its actors and its `may_act` name different parties, each asked of its own
  // state object or user: asked together. Refusals are told in this order, the subject's first.
  const [sub, act, mayAct] = await inOrder([
    checkedSubject(ctx, state, t, payload.sub!, { id, issuedAt: authnInstant, authnInstant, expires: times!.exp! }),
    actingParties(ctx, state, t, payload.act, { id: `${t.issuer} ${id}`, issuedAt: times!.iat ?? authnInstant, authnInstant, expires: times!.exp! }),
    namedMayAct(ctx, t, mayActOf(ctx, payload.may_act, t)),
  ]);
  const subject = subjectOf(t, sub);
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
    mayAct,
    passesOn: NO_DERIVATION_LIMITS,
    grantsDelegation: t.grantsDelegation,
    scope: scopeOf(payload.scope),
    confirmation,
  };
}

/**
 * A trusted issuer's `act` chain, its parties of ours named as stored, once none of them is
 * refused. They answer to the rules a chain of our own tokens does when presented
 * (`currentIdentity`, `revocationOf`): a disabled user acting in the token gets nothing made from
 * it, nor one whose tokens were revoked after this token was issued (its `iat`: when its actors
 * acted).
 */
async function actingParties(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  t: TrustedIssuer,
  claim: unknown,
  token: TokenTimes,
): Promise<Actor | undefined> {
  // A link without `iss` is named by this issuer (RFC 8693 §4.1); in a token of ours it would
  // name one of ours, so it is written with its issuer.
  const act = await ourChain(ctx, readActor(claim, t.localSubjects ? undefined : t.issuer));
  if (act !== undefined) {
    const [, revoked] = await Promise.all([refuseDisabledActors(ctx, act), actorRevocation(ctx, state, { actor: act, ...token })]);
    if (revoked !== undefined) throw invalidToken("A party acting in the token has had its tokens revoked here since the token was issued.");
  }
  return act;
}

/** A trusted issuer's `may_act`, a user of ours named as stored when the issuer's subjects are ours. */
async function namedMayAct(ctx: StsContext, t: TrustedIssuer, mayAct: MayAct | undefined): Promise<MayAct | undefined> {
  return t.localSubjects && mayAct?.name !== undefined ? { name: await storedName(ctx, mayAct.name) } : mayAct;
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
 * A JWT's `scope` (RFC 8693 §4.2: space-separated; an array of strings is read as the list).
 * Present but of another type: a ceiling nothing fits under (fail closed).
 */
function scopeOf(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") return v.split(" ").filter(Boolean);
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return [];
}

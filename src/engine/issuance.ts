import type { KeyTypeName, RelyingParty, TokenKind } from "../config/types.ts";
import { invalidRequest, invalidToken, scopeRefused } from "../errors.ts";
import { MAX_ACTOR_CHAIN, chainLinks } from "../token/actor.ts";
import { issueInstant } from "./check.ts";
import { decideLifetime, totalLifetimeEnd } from "./lifetime.ts";
import { decideClaims } from "./claims.ts";
import { findRelyingParty } from "./relying-party.ts";
import { mintToken } from "./mint.ts";
import { protocolClaims } from "./protocol-claims.ts";
import type { Confirmation, IssuedToken, StsContext, TokenRequest } from "./types.ts";

/**
 * The key type (WS-Trust KeyType, a relying party's `keyTypes` name) of a token bound by `c`:
 * none is a bearer token; a DPoP key is a public key its holder proves.
 */
export function keyTypeName(c: Confirmation | undefined): KeyTypeName {
  return c === undefined ? "bearer" : c.method === "dpop" ? "public-key" : c.method;
}

/**
 * Whether the relying party takes tokens with this proof of possession (its `keyTypes`), and
 * whether the token can carry it: a symmetric key reaches the relying party only encrypted for
 * its certificate inside a SAML assertion. DPoP binding belongs to OAuth and is not a WS-Trust
 * key type, so `keyTypes` does not govern it.
 */
function checkConfirmation(rp: RelyingParty, kind: TokenKind, c: Confirmation | undefined): void {
  if (c?.method === "dpop") return;
  const name = keyTypeName(c);
  if (!rp.keyTypes.includes(name)) {
    throw invalidRequest(`The relying party '${rp.identifier}' does not accept ${name === "bearer" ? "bearer tokens" : `${name} proof keys`} (it accepts: ${rp.keyTypes.join(", ")}).`);
  }
  if (c?.method !== "symmetric") return;
  if (kind === "jwt" || kind === "access_token") {
    throw invalidRequest("A JWT cannot carry a symmetric proof key: ask for a SAML token, or for KeyType PublicKey.");
  }
  if (!rp.encryption) {
    throw invalidRequest(`The relying party '${rp.identifier}' has no encryption certificate, so it cannot receive a symmetric proof key.`);
  }
}

/** Whether some relying party of the realm offers this scope: only those are grants of ours. */
function grantsScope(ctx: StsContext, scope: string): boolean {
  return ctx.config.relyingParties.some((p) => p.scopes.includes(scope));
}

/**
 * Issuance, once an operation has authorized the request (authorize.ts): which token of which
 * type for that target, with which claims and lifetime. Pure policy plus minting; makes no
 * Durable Object call (issuance stays stateless; lifecycle state is written only by Renew
 * and Cancel).
 */
export async function issueToken(ctx: StsContext, req: TokenRequest): Promise<IssuedToken> {
  const rp = findRelyingParty(ctx.config, req.appliesTo);
  if (chainLinks(req.actor).length > MAX_ACTOR_CHAIN) {
    throw invalidRequest(`The delegation chain would name more than ${MAX_ACTOR_CHAIN} actors.`);
  }
  const kind: TokenKind = req.tokenType ?? rp.defaultTokenType;
  if (!rp.tokenTypes.includes(kind)) {
    throw invalidRequest(`The relying party '${rp.identifier}' does not accept token type '${kind}'.`);
  }
  checkConfirmation(rp, kind, req.confirmation);
  const now = issueInstant(ctx, req.actor);
  const decided = decideLifetime(rp, now, ctx.config.limits.clockSkewSeconds, req.lifetime);
  const notBefore = decided.notBefore;
  let expires = decided.expires;
  // No token ends after the relying party's maximum total lifetime counted from the subject's
  // authentication, as renewal keeps it. A derived token (exchange, OnBehalfOf, ActAs,
  // transformation) carries the original authentication time, so deriving again and again is
  // no way around it. Once the cap has passed, the presented token is what is no longer good
  // enough: a fresh authentication is now, with the cap at least a minute away.
  const cap = totalLifetimeEnd(rp, req.identity.authnInstant.getTime());
  if (!(cap > now.getTime())) {
    throw invalidToken("The subject authenticated longer ago than this relying party's maximum total lifetime; a new authentication is needed.");
  }
  if (cap < expires.getTime()) expires = new Date(cap);
  if (req.notAfter) {
    if (req.notAfter.getTime() <= now.getTime()) throw invalidToken("The presented token may not be renewed and has no lifetime left to pass on.");
    if (req.notAfter.getTime() < expires.getTime()) expires = new Date(req.notAfter.getTime());
  }
  let scope: string[] = [];
  if (req.scope && req.scope.length > 0) {
    // Scope can only narrow what policy allows, never widen it.
    scope = req.scope.filter((s) => rp.scopes.includes(s));
  } else {
    scope = rp.scopes.slice();
  }
  if (req.scopeCeiling) {
    // A scoped token yields only tokens within its scope. A relying party without scopes of its
    // own gets the ceiling, as far as this realm grants those scopes anywhere: a token stating
    // no scope could be exchanged back for everything another relying party offers, and one
    // stating a scope no party here offers would be a grant this STS never made (a trusted
    // issuer's `scope` names its own grants, and only ever narrows ours).
    const ceiling = req.scopeCeiling;
    scope = rp.scopes.length === 0 ? ceiling.filter((s) => grantsScope(ctx, s)) : scope.filter((s) => ceiling.includes(s));
    if (scope.length === 0) {
      throw scopeRefused(rp.scopes.length === 0
        ? "The presented token's scope names none of the scopes this STS grants."
        : "The presented token's scope allows none of the scopes requested or offered for this audience.");
    }
  }
  ctx.audit.subject = req.identity.subject;
  ctx.audit.target = rp.identifier;
  const stated = protocolClaims(ctx, { actor: req.actor, mayAct: req.mayAct?.name, scope, clientId: req.clientId });
  const issued = await mintToken(ctx, {
    kind,
    rp,
    subject: req.identity.subject,
    claims: decideClaims(rp, kind, req.identity.subject, req.identity.claims, req.requestedClaims, stated),
    authnInstant: req.identity.authnInstant,
    authnMethod: req.identity.authnMethod,
    issuedAt: now,
    notBefore,
    expires,
    scope,
    actor: req.actor,
    mayAct: req.mayAct,
    clientId: req.clientId,
    notRenewable: req.notRenewable,
    renewableAfterExpiry: req.renewableAfterExpiry,
    confirmation: req.confirmation,
  });
  ctx.audit.tokenId = issued.id;
  return issued;
}

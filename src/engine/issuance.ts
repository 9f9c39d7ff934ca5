import type { TokenKind } from "../config/types.ts";
import { invalidRequest, invalidToken } from "../errors.ts";
import { decideLifetime } from "./lifetime.ts";
import { releaseClaims } from "./claims.ts";
import { findRelyingParty } from "./relying-party.ts";
import { mintToken } from "./mint.ts";
import type { IssuedToken, StsContext, TokenRequest } from "./types.ts";

/**
 * Issuance, once an operation has authorized the request (authorize.ts): which token of which
 * type for that target, with which claims and lifetime. Pure policy plus minting; makes no
 * Durable Object call (issuance stays stateless; lifecycle state is written only by Renew
 * and Cancel).
 */
export async function issueToken(ctx: StsContext, req: TokenRequest): Promise<IssuedToken> {
  const rp = findRelyingParty(ctx.config, req.appliesTo);
  const kind: TokenKind = req.tokenType ?? rp.defaultTokenType;
  if (!rp.tokenTypes.includes(kind)) {
    throw invalidRequest(`The relying party '${rp.identifier}' does not accept token type '${kind}'.`);
  }
  const now = ctx.now();
  const decided = decideLifetime(rp, now, ctx.config.limits.clockSkewSeconds, req.lifetime);
  const notBefore = decided.notBefore;
  let expires = decided.expires;
  // No token ends after the relying party's maximum total lifetime counted from the subject's
  // authentication, as renewal keeps it. A derived token (exchange, OnBehalfOf, ActAs,
  // transformation) carries the original authentication time, so deriving again and again is
  // no way around it. Once the cap has passed, the presented token is what is no longer good
  // enough: a fresh authentication is now, with the cap at least a minute away.
  const cap = req.identity.authnInstant.getTime() + rp.renewal.maxTotalLifetimeSeconds * 1000;
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
  ctx.audit.subject = req.identity.subject;
  ctx.audit.target = rp.identifier;
  const issued = await mintToken(ctx, {
    kind,
    rp,
    subject: req.identity.subject,
    claims: releaseClaims(rp, req.identity.claims),
    authnInstant: req.identity.authnInstant,
    authnMethod: req.identity.authnMethod,
    issuedAt: now,
    notBefore,
    expires,
    scope,
    actor: req.actor,
    clientId: req.clientId,
    notRenewable: req.notRenewable,
  });
  ctx.audit.tokenId = issued.id;
  return issued;
}

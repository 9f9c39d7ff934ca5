import type { Markup } from "../xml/markup.ts";
import { transform, validate } from "../engine/validate.ts";
import type { Requestor, StsContext } from "../engine/types.ts";
import { type TrustDeps, presentedCredentials } from "./authenticate.ts";
import type { Rst } from "./rst.ts";
import { issuedRstr, statusRstr } from "./rstr.ts";
import { isCertificateToken, isUsernameToken, presentedCertificate, presentedFromTarget } from "./target.ts";
import { proofKeyFor } from "./proof-key.ts";

/**
 * Validate (WS-Trust 1.3 §7). TokenType RSTR/Status (or none) → wst:Status valid/invalid with
 * a Reason. The target is a token of ours; or credentials a service forwards from its own
 * callers: a UsernameToken (its password checked) or an X.509 certificate (whether this STS
 * trusts it). Any other TokenType is token transformation: a new token of that type for the
 * validated subject at AppliesTo (else the original audience), beside a wst:Status valid; an
 * invalid token then gets wst:InvalidSecurityToken. A certificate is never transformed.
 */
export async function handleValidate(ctx: StsContext, deps: TrustDeps, who: Requestor, rst: Rst): Promise<Markup> {
  const target = rst.target;
  const presented = target && isUsernameToken(target) ? presentedCredentials(ctx, deps, who, target) : undefined;
  if (rst.tokenType === undefined || rst.tokenType === "status") {
    const what = presented ?? (target && isCertificateToken(target) ? presentedCertificate(target) : presentedFromTarget(target, "wst:ValidateTarget"));
    const r = await validate(ctx, deps.state, who, what, rst.appliesTo);
    return statusRstr(rst.trust, rst.context, r.valid, r.reason);
  }
  // The new token is a bearer token unless the Validate request asks for a key type, as an
  // Issue would (Apache CXF's STS reads KeyType, Entropy and UseKey from a Validate alike):
  // a presented token's proof key is for its own relying party, never passed on.
  const proof = await proofKeyFor(rst, ctx.now());
  const { token: tok, reason } = await transform(ctx, deps.state, who, presented ?? presentedFromTarget(target, "wst:ValidateTarget"), {
    target: rst.appliesTo,
    tokenType: rst.tokenType,
    lifetime: rst.lifetime,
    confirmation: proof.confirmation,
    requestedClaims: rst.claims,
    ...rst.renewing,
  });
  return issuedRstr(rst.trust, tok, {
    context: rst.context,
    requestType: rst.trust.requestTypes.validate,
    keyType: rst.keyType === undefined && !proof.confirmation ? undefined : proof.keyType,
    proof: proof.rstr,
    // WS-Trust 1.3 §7: the response to a Validate states the token's status, a new token or not;
    // Apache CXF's STSClient.validateSecurityToken refuses a response without it.
    status: { valid: true, reason },
  });
}

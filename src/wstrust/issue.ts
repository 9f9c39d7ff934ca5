import type { Markup } from "../xml/markup.ts";
import { invalidRequest } from "../errors.ts";
import { issue } from "../engine/issue.ts";
import type { Requestor, StsContext } from "../engine/types.ts";
import { type TrustDeps, presentedCredentials } from "./authenticate.ts";
import { isUsernameToken, presentedFromTarget } from "./target.ts";
import { type Rst, tokenKindAsked } from "./rst.ts";
import { issuedRstr } from "./rstr.ts";
import { proofKeyFor } from "./proof-key.ts";

/**
 * WS-Trust Issue (WS-Trust 1.3 §4): the authenticated user asks for a token for AppliesTo; or,
 * with wst:OnBehalfOf (1.3) / wst14:ActAs (1.4), a caller asks for a token for the party whose
 * token (or UsernameToken) it presents. Returns one RSTR (the caller wraps it in an RSTRC for 1.3).
 */
export async function handleIssue(ctx: StsContext, deps: TrustDeps, who: Requestor, rst: Rst): Promise<Markup> {
  if (!rst.appliesTo) throw invalidRequest("wsp:AppliesTo is required: name the relying party the token is for.");
  const tokenType = tokenKindAsked(rst);
  if (rst.actAs && rst.onBehalfOf) throw invalidRequest("Send either wst:OnBehalfOf or wst14:ActAs, not both.");
  const proof = await proofKeyFor(rst, ctx.now(), who.provedKey);
  const delegated = rst.actAs ?? rst.onBehalfOf;
  const presented = delegated && (isUsernameToken(delegated) ? presentedCredentials(ctx, deps, who, delegated) : presentedFromTarget(delegated, rst.actAs ? "wst14:ActAs" : "wst:OnBehalfOf"));
  const tok = await issue(ctx, deps.state, who, {
    target: rst.appliesTo,
    tokenType,
    lifetime: rst.lifetime,
    ...rst.renewing,
    delegation: presented ? { mode: rst.actAs ? "delegation" : "impersonation", presented } : undefined,
    confirmation: proof.confirmation,
    requestedClaims: rst.claims,
  });
  return issuedRstr(rst.trust, tok, {
    context: rst.context,
    requestType: rst.trust.requestTypes.issue,
    keyType: proof.keyType,
    proof: proof.rstr,
  });
}

import type { Authenticated } from "../engine/authenticate.ts";
import { invalidRequest, notAuthorized } from "../engine/errors.ts";
import { issueToken } from "../engine/issue.ts";
import type { StsContext } from "../engine/types.ts";
import type { Rst } from "./rst.ts";
import { issuedRstr } from "./rstr.ts";

/** Checks the requested KeyType: Bearer (or 2005 NoProofKey) only, for now. */
export function checkKeyType(rst: Rst): void {
  const kt = rst.keyType;
  if (kt === undefined || rst.trust.bearerKeyTypes.includes(kt)) return;
  if (rst.trust.otherKeyTypes.includes(kt)) {
    throw invalidRequest(`KeyType '${kt}' is not supported yet; request a Bearer token.`);
  }
  throw invalidRequest(`Unknown KeyType '${kt.slice(0, 200)}'.`);
}

/**
 * WS-Trust Issue (WS-Trust 1.3 §4): the authenticated user asks for a token for AppliesTo.
 * Returns one RSTR (the caller wraps it in an RSTRC for 1.3).
 */
export async function handleIssue(ctx: StsContext, who: Authenticated, rst: Rst): Promise<string> {
  if (who.kind !== "user") throw notAuthorized("Service accounts cannot request tokens for themselves here.");
  if (!rst.appliesTo) throw invalidRequest("wsp:AppliesTo is required: name the relying party the token is for.");
  if (rst.tokenType === "status") throw invalidRequest("The Status token type is only valid for Validate.");
  checkKeyType(rst);
  const tok = await issueToken(ctx, {
    requestor: { kind: "user", name: who.identity.subject },
    identity: who.identity,
    appliesTo: rst.appliesTo,
    tokenType: rst.tokenType,
    lifetime: rst.lifetime,
    notRenewable: rst.renewing?.allow === false,
  });
  return issuedRstr(rst.trust, tok, {
    context: rst.context,
    requestType: rst.trust.requestTypes.issue,
    keyType: rst.keyType ?? rst.trust.bearerKeyTypes[0],
  });
}

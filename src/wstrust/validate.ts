import type { Authenticated } from "../engine/authenticate.ts";
import { invalidToken } from "../engine/errors.ts";
import { issueToken } from "../engine/issue.ts";
import { tokenStatus } from "../engine/lifecycle.ts";
import type { StsContext } from "../engine/types.ts";
import type { StateClient } from "../state/client.ts";
import type { Rst } from "./rst.ts";
import { issuedRstr, statusRstr } from "./rstr.ts";
import { presentedFromTarget } from "./target.ts";

/**
 * Validate (WS-Trust 1.3 §7). TokenType RSTR/Status (or none) → wst:Status valid/invalid with
 * a Reason. Any other TokenType is token transformation: a new token of that type for the
 * validated subject, under the target relying party's policy (AppliesTo, else the original
 * audience); an invalid token then gets wst:InvalidSecurityToken.
 */
export async function handleValidate(ctx: StsContext, state: StateClient, who: Authenticated, rst: Rst): Promise<string> {
  const r = await tokenStatus(ctx, state, who, presentedFromTarget(rst.target));
  if (rst.tokenType === undefined || rst.tokenType === "status") return statusRstr(rst.trust, rst.context, r.valid, r.reason);
  if (!r.valid || !r.token) throw invalidToken(r.reason);
  const t = r.token;
  const tok = await issueToken(ctx, {
    requestor: who.kind === "user" ? { kind: "user", name: who.identity.subject } : { kind: "service", name: who.account.username },
    identity: { subject: t.subject, claims: t.claims, authnInstant: t.authnInstant, authnMethod: t.authnMethod },
    appliesTo: rst.appliesTo ?? t.audience,
    tokenType: rst.tokenType,
    lifetime: rst.lifetime,
  });
  return issuedRstr(rst.trust, tok, { context: rst.context, requestType: rst.trust.requestTypes.validate, keyType: undefined });
}

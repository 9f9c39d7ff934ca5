import type { Markup } from "../xml/markup.ts";
import { renewToken } from "../engine/renew.ts";
import type { Requestor, StsContext } from "../engine/types.ts";
import type { StateClient } from "../state/client.ts";
import type { Rst } from "./rst.ts";
import { issuedRstr } from "./rstr.ts";
import { presentedFromTarget } from "./target.ts";

/**
 * Renew (WS-Trust 1.3 §7.4): the renewed token in an RSTR. `wst:Renewing OK="true"` lets a
 * just-expired token renew within the relying party's grace; `Allow="false"` (§5) asks for a
 * renewed token that may not itself be renewed, as it does of an issued one.
 */
export async function handleRenew(ctx: StsContext, state: StateClient, who: Requestor, rst: Rst): Promise<Markup> {
  const tok = await renewToken(ctx, state, who, presentedFromTarget(rst.target), {
    allowExpired: rst.renewing?.ok === true,
    lifetime: rst.lifetime,
    notRenewable: rst.renewing?.allow === false,
  });
  return issuedRstr(rst.trust, tok, { context: rst.context, requestType: rst.trust.requestTypes.renew, keyType: undefined });
}

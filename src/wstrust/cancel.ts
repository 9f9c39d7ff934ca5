import type { Markup } from "../xml/markup.ts";
import { cancelToken } from "../engine/cancel.ts";
import type { Requestor, StsContext } from "../engine/types.ts";
import type { StateClient } from "../state/client.ts";
import { type Rst, tokenKindAsked } from "./rst.ts";
import { cancelledRstr } from "./rstr.ts";
import { presentedFromTarget } from "./target.ts";

/** Cancel (WS-Trust 1.3 §9.1): wst:RequestedTokenCancelled; idempotent. */
export async function handleCancel(ctx: StsContext, state: StateClient, who: Requestor, rst: Rst): Promise<Markup> {
  tokenKindAsked(rst); // a Status TokenType asks for a Validate's answer, which no Cancel gives
  await cancelToken(ctx, state, who, presentedFromTarget(rst.target, "wst:CancelTarget"));
  return cancelledRstr(rst.trust, rst.context);
}

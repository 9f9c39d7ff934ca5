import type { Markup } from "../xml/markup.ts";
import { renewToken } from "../engine/renew.ts";
import type { Requestor, StsContext } from "../engine/types.ts";
import type { StateClient } from "../state/client.ts";
import { keyTypeAsked, useKeyOf } from "./proof-key.ts";
import { type Rst, tokenKindAsked } from "./rst.ts";
import { issuedRstr } from "./rstr.ts";
import { presentedFromTarget } from "./target.ts";
import { type Destination, namesEndpoint } from "./addressing.ts";
import { lookupRelyingParty } from "../engine/relying-party.ts";

/**
 * Renew (WS-Trust 1.3 §7.4): the renewed token in an RSTR. `wst:Renewing` (§5) asks of the
 * renewed token what it asks of an issued one: `Allow="false"`, that it may not itself be
 * renewed; `OK="true"`, that it may be renewed after it expires. Whether the token renewed now
 * may renew after its expiry was decided when it was issued (engine renew.ts). A TokenType,
 * AppliesTo, KeyType, UseKey or Claims sent must be the token's own, and Entropy (which asks for
 * a new key) is refused: a renewal changes none of them. A token bound to a key renews only for
 * a request signed with that key (`who.provedKey`, checked by the engine).
 * `here` is the endpoint the request came to (an AppliesTo naming it names no party).
 */
export async function handleRenew(ctx: StsContext, state: StateClient, who: Requestor, rst: Rst, here: Destination): Promise<Markup> {
  const tok = await renewToken(ctx, state, who, presentedFromTarget(rst.target, "wst:RenewTarget"), {
    lifetime: rst.lifetime,
    ...rst.renewing,
    asked: {
      tokenType: tokenKindAsked(rst),
      appliesTo: partyAsked(ctx, rst.appliesTo, here),
      keyType: rst.keyType === undefined ? undefined : keyTypeAsked(rst),
      useKey: rst.useKey ? await useKeyOf(rst.useKey) : undefined,
      entropy: rst.entropy !== undefined,
      claims: rst.claims,
    },
  });
  return issuedRstr(rst.trust, tok, { context: rst.context, requestType: rst.trust.requestTypes.renew, keyType: undefined });
}

/**
 * The relying party a Renew's AppliesTo names. Apache CXF's STSClient sends with every Renew an
 * AppliesTo holding the address of the STS endpoint the token came from (AbstractSTSClient.renew:
 * `tok.getIssuerAddress()`), not a relying party: an AppliesTo naming this very endpoint, where no
 * relying party is configured under that address, names no party and is read as absent.
 */
function partyAsked(ctx: StsContext, appliesTo: string | undefined, here: Destination): string | undefined {
  if (appliesTo === undefined || lookupRelyingParty(ctx.config, appliesTo) || !namesEndpoint(appliesTo, here)) return appliesTo;
  return undefined;
}

import type { StateClient } from "../state/client.ts";
import type { Authenticated } from "./authenticate.ts";
import { notAuthorized } from "./errors.ts";
import { partyFromJwt, partyFromSaml } from "./presented-party.ts";
import { normaliseTarget } from "./relying-party.ts";
import type { Actor, Identity, StsContext } from "./types.ts";
import type { PresentedToken } from "./verify-own.ts";

/**
 * Who a delegated request is for (WS-Trust OnBehalfOf / ActAs), protocol-free.
 * - `impersonation` (OnBehalfOf): the token is issued to the presented party, no actor;
 * - `delegation` (ActAs): the token names the presented party as subject and the requestor
 *   as actor, keeping any earlier chain (as RFC 8693 §4.1 `act`).
 * The presented token is verified like an exchange subject token: ours (with the one
 * revocation check) or a trusted issuer's. Who may ask: a service account whose operations
 * include `issue` and whose relying parties include the target, or the party the presented
 * JWT's `may_act` names.
 */
export async function delegatedParty(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  who: Authenticated,
  presented: PresentedToken,
  mode: "impersonation" | "delegation",
  target: string,
): Promise<{ identity: Identity; actor: Actor | undefined }> {
  const what = mode === "delegation" ? "ActAs token" : "OnBehalfOf token";
  const party = "xml" in presented ? await partyFromSaml(ctx, state, presented.xml, what) : await partyFromJwt(ctx, state, presented.jwt, what);
  const requestor = who.kind === "user" ? who.identity.subject : who.account.username;
  const serviceMay =
    who.kind === "service" &&
    who.account.operations.includes("issue") &&
    who.account.allowedRelyingParties.some((rp) => normaliseTarget(rp) === normaliseTarget(target));
  const namedByMayAct = party.mayAct?.sub === requestor && (party.mayAct.iss === undefined || party.mayAct.iss === ctx.issuer);
  if (!serviceMay && !namedByMayAct) {
    throw notAuthorized(`The caller may not request tokens ${mode === "delegation" ? "acting as" : "on behalf of"} another party.`);
  }
  if (mode === "impersonation") return { identity: party.identity, actor: party.act };
  return { identity: party.identity, actor: { sub: requestor, ...(party.act ? { act: party.act } : {}) } };
}

import type { ClaimName } from "../config/claim-rules.ts";
import { newClaims } from "../token/claims.ts";
import { actorNames } from "./names.ts";
import type { Actor, StsContext } from "./types.ts";

/**
 * The claims a token of ours states from what issuance decided, never from the subject's
 * claims: the delegation chain, the one party that may act, the OAuth scope and client. A JWT
 * has claims of its own for them (RFC 8693 §4: `act`, `may_act`, `scope`, `client_id`); SAML has
 * no element for any, so our assertions carry them as attributes under the claim-type table's
 * names (the WIF actor claim type for the chain). Federation metadata offers them, and a
 * request may name them.
 */
export const PROTOCOL_CLAIMS: readonly ClaimName[] = [
  { saml: "actor", jwt: "act" },
  { saml: "may_act", jwt: "may_act" },
  { saml: "scope", jwt: "scope" },
  { saml: "client_id", jwt: "client_id" },
];

/** What issuance decided that a token states beside the subject's claims. */
export interface ProtocolFacts {
  actor: Actor | undefined;
  /** Our one name for the party `may_act` names. */
  mayAct: string | undefined;
  scope: readonly string[];
  clientId: string | undefined;
}

/**
 * The protocol claims a token states, by their SAML names, each with its values as an assertion
 * writes them — the chain one name per link, the party acting now first (names.ts
 * `actorNames`); one not stated is absent.
 */
export function protocolClaims(ctx: StsContext, f: ProtocolFacts): Record<string, string[]> {
  const out = newClaims();
  if (f.actor) out.actor = actorNames(ctx, f.actor);
  if (f.mayAct !== undefined) out.may_act = [f.mayAct];
  if (f.scope.length > 0) out.scope = f.scope.slice();
  if (f.clientId !== undefined) out.client_id = [f.clientId];
  return out;
}

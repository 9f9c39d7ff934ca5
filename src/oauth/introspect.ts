/**
 * RFC 7662 token introspection for our own tokens (JWT and base64url SAML): the engine's
 * `introspect` (the same check as WS-Trust Validate) answered in RFC 7662's shape. Everything
 * that is not active for this client is exactly `{"active": false}` (RFC 7662 §2.2), so the
 * answer never says *why* a token is inactive.
 */
import type { OAuthClient } from "../config/types.ts";
import { mayUse } from "../engine/authorize.ts";
import { introspect } from "../engine/introspect.ts";
import type { Requestor, StsContext } from "../engine/types.ts";
import type { PresentedToken } from "../engine/verify-own.ts";
import type { StateClient } from "../state/client.ts";
import { cnfClaim } from "../jwt/cnf.ts";
import { actClaim } from "../token/actor.ts";
import { numericDateOf } from "../token/time.ts";
import { OAuthError } from "./errors.ts";
import type { FormParams } from "./form.ts";
import { presentedOwn } from "./presented.ts";
import { tokenTypeUri } from "./token-types.ts";

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * The `token` parameter of an introspection or revocation request, decoded; undefined when it
 * is no token of a form we issue. A client the configuration does not allow to introspect or
 * revoke at all is refused first (403), whatever it sends.
 */
export function presentedForClient(ctx: StsContext, who: Requestor, route: "validate" | "cancel", params: FormParams): PresentedToken | undefined {
  const open = mayUse(who, route);
  if (!open.allowed) throw new OAuthError("unauthorized_client", open.reason, { status: 403 });
  const value = params.get("token");
  if (value === undefined) throw new OAuthError("invalid_request", "token is missing.");
  return presentedOwn(ctx, value);
}

/**
 * Answers an introspection request. `token_type_hint` is accepted and ignored (RFC 7662 §2.1:
 * the server may search all its token types); we tell JWT and SAML apart by their shape.
 * `token_type` is `DPoP` for DPoP-bound tokens, `Bearer` for other access tokens and `N_A`
 * otherwise, as in the token response (RFC 9449 §5, RFC 8693 §2.2.1); `issued_token_type` adds
 * the exact RFC 8693 type URI. A bound token's `cnf` is returned as the token states it
 * (RFC 9449 §6.2, RFC 7800 §3), and so are its `act` and `may_act` (RFC 8693 §4.1, §4.4).
 */
export async function introspectToken(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  client: OAuthClient,
  params: FormParams,
): Promise<IntrospectionResponse> {
  const who: Requestor = { kind: "client", client };
  const presented = presentedForClient(ctx, who, "validate", params);
  if (!presented) return INACTIVE;
  const t = await introspect(ctx, state, who, presented);
  if (!t) return INACTIVE;
  const out: IntrospectionResponse = {
    active: true,
    iss: ctx.issuer,
    // What the token states: a pairwise token's pseudonym, never the subject it stands for.
    sub: t.pairwise?.pseudonym ?? t.subject,
    aud: t.audience,
    exp: numericDateOf(t.expires),
    iat: numericDateOf(t.issuedAt),
    jti: t.id,
    token_type: t.confirmation?.method === "dpop" ? "DPoP" : t.kind === "access_token" ? "Bearer" : "N_A",
    issued_token_type: tokenTypeUri(t.kind),
  };
  if (t.notBefore) out.nbf = numericDateOf(t.notBefore);
  if (t.clientId !== undefined) out.client_id = t.clientId;
  if (t.scope.length > 0) out.scope = t.scope.join(" ");
  if (t.actor) out.act = actClaim(t.actor);
  // RFC 8693 §4.4: who may act for the subject, so a resource server sees the restriction too.
  if (t.mayAct !== undefined && t.mayAct !== null) out.may_act = t.mayAct;
  // A symmetric proof key is the relying party's secret, never shown to an introspecting client.
  if (t.confirmation && t.confirmation.method !== "symmetric") out.cnf = cnfClaim(t.confirmation);
  return out;
}

/**
 * RFC 7662 token introspection for our own tokens (JWT and base64url SAML). An active answer
 * needs a valid signature, a current time window, no revocation (one state RPC) and a caller
 * entitled to the token; everything else is exactly `{"active": false}` (RFC 7662 §2.2), so the
 * answer never says *why* a token is inactive.
 */
import type { OAuthClient } from "../config/types.ts";
import { normaliseTarget } from "../engine/relying-party.ts";
import type { StsContext } from "../engine/types.ts";
import type { OwnToken } from "../engine/verify-own.ts";
import { verifyOwnToken } from "../engine/verify-own.ts";
import type { StateClient } from "../state/client.ts";
import { OAuthError } from "./errors.ts";
import type { FormParams } from "./form.ts";
import { presentedOwn } from "./presented.ts";
import { tokenTypeUri } from "./token-types.ts";

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * RFC 7662 §4 / RFC 7009 §2.1: a client sees or revokes only tokens issued to it, or tokens
 * for an audience it may itself obtain tokens for.
 */
export function clientMayManage(client: OAuthClient, token: OwnToken): boolean {
  if (token.clientId !== undefined && token.clientId === client.clientId) return true;
  const aud = normaliseTarget(token.audience);
  return client.allowedAudiences.some((a) => normaliseTarget(a) === aud);
}

/** Refuses clients the configuration does not allow to introspect or revoke. */
export function requireIntrospector(client: OAuthClient): void {
  if (!client.mayIntrospect) throw new OAuthError("unauthorized_client", "This client may not introspect or revoke tokens.", { status: 403 });
}

/**
 * The `token` parameter of an introspection or revocation request, as one of our tokens with a
 * valid signature and time window, and whether this client may manage it; undefined for
 * anything else (unknown, forged, expired: both RFC 7662 and RFC 7009 treat those alike).
 */
export async function presentedForClient(
  ctx: StsContext,
  client: OAuthClient,
  params: FormParams,
): Promise<{ token: OwnToken; mayManage: boolean } | undefined> {
  requireIntrospector(client);
  const value = params.get("token");
  if (value === undefined) throw new OAuthError("invalid_request", "token is missing.");
  const presented = presentedOwn(ctx, value);
  if (!presented) return undefined;
  const check = await verifyOwnToken(ctx, presented);
  return check.ok ? { token: check.token, mayManage: clientMayManage(client, check.token) } : undefined;
}

/**
 * Answers an introspection request. `token_type_hint` is accepted and ignored (RFC 7662 §2.1:
 * the server may search all its token types); we tell JWT and SAML apart by their shape.
 * `token_type` is `Bearer` for access tokens and `N_A` otherwise, as in the token response
 * (RFC 8693 §2.2.1); `issued_token_type` adds the exact RFC 8693 type URI.
 */
export async function introspectToken(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  client: OAuthClient,
  params: FormParams,
): Promise<IntrospectionResponse> {
  const p = await presentedForClient(ctx, client, params);
  if (!p?.mayManage) return INACTIVE;
  const t = p.token;
  const s = await state.status({ issuer: ctx.issuer, subject: t.subject }, { id: t.id, issuedAt: t.issuedAt.getTime(), expiresAt: t.expires.getTime() });
  if (s.state === "revoked") return INACTIVE;
  const secs = (d: Date) => Math.floor(d.getTime() / 1000);
  const out: IntrospectionResponse = {
    active: true,
    iss: ctx.issuer,
    sub: t.subject,
    aud: t.audience,
    exp: secs(t.expires),
    iat: secs(t.issuedAt),
    jti: t.id,
    token_type: t.kind === "access_token" ? "Bearer" : "N_A",
    issued_token_type: tokenTypeUri(t.kind),
  };
  if (t.notBefore) out.nbf = secs(t.notBefore);
  if (t.clientId !== undefined) out.client_id = t.clientId;
  if (t.scope.length > 0) out.scope = t.scope.join(" ");
  if (t.actor) out.act = t.actor;
  return out;
}

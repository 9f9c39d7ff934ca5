/**
 * RFC 7009 token revocation through the same Durable Object state as WS-Trust Cancel, so a token
 * revoked here is dead for Validate, introspection and exchange, and vice versa.
 */
import type { OAuthClient } from "../config/types.ts";
import type { StsContext } from "../engine/types.ts";
import type { StateClient } from "../state/client.ts";
import { OAuthError } from "./errors.ts";
import type { FormParams } from "./form.ts";
import { presentedForClient } from "./introspect.ts";

/**
 * Revokes a token. RFC 7009 §2.2: unknown, invalid or expired tokens get the same 200 as a
 * successful revocation (there is nothing left to revoke). A valid token the client is not
 * entitled to is refused (§2.1: "the request is refused and the client is informed").
 * `token_type_hint` is accepted and ignored (§2.1 permits searching every type).
 */
export async function revokeToken(
  ctx: StsContext,
  state: Pick<StateClient, "cancel">,
  client: OAuthClient,
  params: FormParams,
): Promise<void> {
  const p = await presentedForClient(ctx, client, params);
  if (!p) return;
  if (!p.mayManage) throw new OAuthError("unauthorized_client", "This client may not revoke this token.");
  const t = p.token;
  await state.cancel({ issuer: ctx.issuer, subject: t.subject }, { id: t.id, expiresAt: t.expires.getTime() });
}

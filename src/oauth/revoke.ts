/**
 * RFC 7009 token revocation: the engine's `cancelToken`, the same operation as WS-Trust Cancel,
 * so a token revoked here is dead for Validate, introspection and exchange, and vice versa.
 */
import type { OAuthClient } from "../config/types.ts";
import { cancelToken } from "../engine/cancel.ts";
import type { Requestor, StsContext } from "../engine/types.ts";
import { isStsError } from "../errors.ts";
import { isEncryptedToken } from "../engine/verify-own.ts";
import { OAuthError } from "./errors.ts";
import type { StateClient } from "../state/client.ts";
import type { FormParams } from "./form.ts";
import { presentedForClient } from "./introspect.ts";

export const ENCRYPTED_REVOCATION =
  "The token is encrypted for its relying party, and this STS cannot read it, so it cannot revoke it: revoke the signed token inside it (its relying party can decrypt it), or every token of its subject (POST /admin/revoke-subject).";

/**
 * Revokes a token. RFC 7009 §2.2: unknown, invalid or expired tokens get the same 200 as a
 * successful revocation (there is nothing left to revoke). A token the one authorization rule
 * does not let this client revoke — one not issued to it (§2.1) — is answered exactly as an
 * unknown one and left alone: telling the client would tell it the token exists and is live,
 * which is what it may not learn by introspection either.
 * `token_type_hint` is accepted and ignored (§2.1 permits searching every type). An encrypted
 * token is `unsupported_token_type` (§2.2.1).
 */
export async function revokeToken(ctx: StsContext, state: StateClient, client: OAuthClient, params: FormParams): Promise<void> {
  const who: Requestor = { kind: "client", client };
  const presented = presentedForClient(ctx, who, "cancel", params);
  // The encrypted form is all a client holds of a token issued for an encrypting relying party,
  // and we cannot open it to learn which token it is. A 200 would tell the client it was
  // revoked while it stays live: RFC 7009 §2.2.1 has the answer for a type we cannot revoke.
  if (isEncryptedToken(params.get("token")!) || (presented && "xml" in presented && isEncryptedToken(presented.xml))) {
    throw new OAuthError("unsupported_token_type", ENCRYPTED_REVOCATION);
  }
  if (!presented) {
    ctx.audit.outcome = "not-revoked:not-ours";
    return;
  }
  try {
    await cancelToken(ctx, state, who, presented, { refuseExpired: true });
    ctx.audit.outcome = "revoked";
  } catch (e) {
    if (!isStsError(e)) throw e;
    if (e.code === "invalid_token") ctx.audit.outcome = "not-revoked:invalid-or-expired";
    else if (e.code === "not_authorized") ctx.audit.outcome = "not-revoked:not-issued-to-client";
    else throw e;
  }
}

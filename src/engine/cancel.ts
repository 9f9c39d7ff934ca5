import type { StateClient } from "../state/client.ts";
import { authorize } from "./authorize.ts";
import { partyOf } from "./relying-party.ts";
import { invalidToken } from "../errors.ts";
import type { Requestor, StsContext } from "./types.ts";
import { type OwnToken, type PresentedToken, verifyOwnToken } from "./verify-own.ts";

/**
 * Cancel (WS-Trust 1.3 §9) and revocation (RFC 7009): one operation. Idempotent; afterwards every
 * protocol sees the token as revoked. A token whose signature does not verify is refused with
 * `invalid_token` (we cancel only what we issued); an expired one of ours is cancelled all the
 * same, harmlessly, unless `refuseExpired` asks otherwise. One that has not started yet (a
 * postdated renewal) is cancelled at once: a leaked postdated token must not wait to be killed.
 */
export async function cancelToken(
  ctx: StsContext,
  state: StateClient,
  who: Requestor,
  presented: PresentedToken,
  opts: { refuseExpired?: boolean } = {},
): Promise<OwnToken> {
  const check = await verifyOwnToken(ctx, presented);
  if (!check.token) throw invalidToken(check.ok ? "The token is not valid." : check.reason);
  // RFC 7009 §2.2: an expired token is one there is nothing left to revoke.
  if (opts.refuseExpired && !check.ok && check.expired) throw invalidToken(check.reason);
  const t = check.token;
  authorize(who, { route: "cancel", subject: t.subject, relyingParty: partyOf(ctx.config, t.audience), tokenClient: t.clientId });
  await state.cancel({ subject: t.subject }, { id: t.id, expiresAt: t.expires.getTime() });
  return t;
}

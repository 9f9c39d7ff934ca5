import type { StateClient } from "../state/client.ts";
import { tokenStatus } from "./check.ts";
import { isStsError } from "../errors.ts";
import type { Requestor, StsContext } from "./types.ts";
import type { OwnToken, PresentedToken } from "./verify-own.ts";

/**
 * Introspection (RFC 7662): the same check as WS-Trust Validate (check.ts), answered the way
 * RFC 7662 §2.2 asks — the token's facts when it is active and the requestor may see it, and
 * nothing otherwise, so the answer never says *why* a token is inactive.
 */
export async function introspect(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  who: Requestor,
  presented: PresentedToken,
): Promise<OwnToken | undefined> {
  try {
    const r = await tokenStatus(ctx, state, who, presented);
    return r.valid ? r.token : undefined;
  } catch (e) {
    // RFC 7662 §2.2: a token that cannot be read is simply not active.
    if (isStsError(e) && (e.code === "not_authorized" || e.code === "invalid_token")) return undefined;
    throw e;
  }
}

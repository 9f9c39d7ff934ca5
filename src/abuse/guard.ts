/**
 * The abuse limits bound to one request: wraps password authentication (failed attempts per
 * subject and per client address) and the state client's renewals (per subject and per
 * requestor). Limits come from configuration (`limits.*`, see src/config/types.ts).
 */
import type { LimitsConfig } from "../config/types.ts";
import { type Authenticated, authenticatePassword } from "../engine/authenticate.ts";
import { StsError } from "../engine/errors.ts";
import type { StsContext } from "../engine/types.ts";
import type { StateClient } from "../state/client.ts";
import { type Counter, assertNotBlocked, countAndCheck, failureKeys } from "./limits.ts";

/**
 * Authenticates a UsernameToken under the failed-authentication limit: a key already over its
 * limit in this isolate is refused before the (slow, PBKDF2) password check; a failure is
 * counted, and the attempt that crosses the limit is answered with rate_limited (429).
 * @throws StsError authentication_failed or rate_limited
 */
export async function authenticateLimited(
  ctx: StsContext,
  counter: Counter,
  clientAddress: string | undefined,
  username: string,
  password: string,
): Promise<Authenticated> {
  const keys = failureKeys(username, clientAddress);
  assertNotBlocked(keys, Date.now());
  try {
    return await authenticatePassword(ctx, username, password);
  } catch (e) {
    if (!(e instanceof StsError) || e.code !== "authentication_failed") throw e;
    const l = ctx.config.limits;
    const limited = await countAndCheck(
      counter, keys, l.maxFailedAuthPerWindow, l.failedAuthWindowSeconds * 1000, Date.now(),
      "Too many failed authentications; try again later.",
    );
    throw limited ?? e;
  }
}

/**
 * The state client with renewals counted per subject and per requestor: over the limit, the
 * renewal is refused with rate_limited before the state object records it.
 */
export function withRenewalLimit(state: StateClient, limits: LimitsConfig, requestor: string): StateClient {
  return {
    ...state,
    async renew(subject, token, renewed) {
      const keys = [`renew:sub:${subject.issuer}\n${subject.subject}`, `renew:client:${requestor}`];
      assertNotBlocked(keys, Date.now());
      const limited = await countAndCheck(
        state, keys, limits.maxRenewalsPerWindow, limits.renewalWindowSeconds * 1000, Date.now(),
        "Too many renewals; try again later.",
      );
      if (limited) throw limited;
      return state.renew(subject, token, renewed);
    },
  };
}

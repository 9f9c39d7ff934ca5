/**
 * The abuse limits bound to one request: wraps password authentication (failed attempts per
 * name, per client address and per pair of both) and the state client's renewals (per subject
 * and per requestor). Limits come from configuration (`limits.*`, see src/config/types.ts).
 */
import type { LimitsConfig } from "../config/types.ts";
import { type Authenticated, authenticatePassword } from "../engine/authenticate.ts";
import { StsError } from "../errors.ts";
import type { StsContext } from "../engine/types.ts";
import type { StateClient } from "../state/client.ts";
import { stateKey } from "../state/state-key.ts";
import { forgetUnknownName } from "../web/audit.ts";
import { type Counter, type FailureKeys, TOO_MANY_FAILURES, admit, countFailure, failureKeys, inRealm, localHit, rateLimited, realmKey } from "./limits.ts";

/**
 * Authenticates a username and password under the failed-authentication limit: an attempt
 * this isolate knows to be over a limit is refused before the (slow, PBKDF2) password check; a
 * failure is counted, and one after which the same attempt would be refused is answered with
 * rate_limited (429). With `admit`, only the requestors it accepts count as authenticated here;
 * anyone else fails exactly as a wrong password does, and is counted as one.
 * @throws StsError authentication_failed or rate_limited
 */
export async function authenticateLimited(
  ctx: StsContext,
  counter: Counter,
  clientAddress: string | undefined,
  username: string,
  password: string,
  admit?: (who: Authenticated) => boolean,
): Promise<Authenticated> {
  // RFC 8265 §3.3: a username is compared in NFC, as a password is (RFC 8265 §4.2), so a name
  // typed decomposed (z, o, U+0308) is the name stored composed (zoë), and its failures count
  // against that one name rather than against a second spelling of it.
  const name = username.normalize("NFC");
  let checked = false;
  try {
    return await withFailureLimit(
      ctx,
      counter,
      failureKeys(name, clientAddress),
      () => {
        checked = true;
        return authenticatePassword(ctx, name, password, admit);
      },
      (e) => e instanceof StsError && e.code === "authentication_failed",
    );
  } catch (e) {
    // Refused before the password check, the name was never looked up: the audit line keeps it
    // only when configuration holds an account of that name (no I/O, so the refusal stays as
    // cheap as it is meant to be). Any other — a directory user's too, which would need a
    // directory read to tell apart — is logged as none, as the password check logs a name no
    // account has (forgetUnknownName): it may be a password typed into the name field.
    if (!checked && !ctx.config.users.has(name) && !ctx.config.serviceAccounts.has(name)) forgetUnknownName(ctx.audit, name);
    throw e;
  }
}

/**
 * Runs an authentication under the failed-authentication limit for `keys` (src/abuse/limits.ts
 * says which counts refuse which attempts): refused at once if this isolate knows the attempt
 * is over a limit, and held while the attempts in flight under its keys could put it over; a
 * failure (as `isFailure` judges the error) is counted, and becomes rate_limited (429 +
 * Retry-After) when the same attempt would now be refused. Successes are never counted, so
 * they make no Durable Object call.
 */
export async function withFailureLimit<T>(
  ctx: StsContext,
  counter: Counter,
  realmlessKeys: FailureKeys,
  attempt: () => Promise<T>,
  isFailure: (e: unknown) => boolean,
): Promise<T> {
  const l = ctx.config.limits;
  const keys = inRealm(ctx.config.realm, realmlessKeys);
  const windowMs = l.failedAuthWindowSeconds * 1000;
  // In flight from here until the counters know its outcome (src/abuse/limits.ts `admit`).
  const release = await admit(keys, l.maxFailedAuthPerWindow, windowMs, Date.now);
  try {
    return await attempt();
  } catch (e) {
    if (!isFailure(e)) throw e;
    throw (await countFailure(counter, keys, l.maxFailedAuthPerWindow, windowMs, Date.now(), TOO_MANY_FAILURES)) ?? e;
  } finally {
    // After the catch: a failure stays in flight until its counters have answered.
    release();
  }
}

/**
 * The state client with renewals limited per subject and per requestor, without adding a
 * Durable Object call (WS-Trust Renew makes exactly one RPC):
 * - per subject: the subject's own state object counts its renewals inside the renew
 *   transaction (sliding window over `renewed_at`), exact across isolates;
 * - per requestor: a counter in this isolate (approximate across isolates: with N isolates a
 *   requestor gets at most N × limit per window), checked before the RPC.
 * Over either limit the renewal is refused with rate_limited (HTTP 429, Retry-After).
 */
export function withRenewalLimit(state: StateClient, limits: LimitsConfig, requestor: string, realm?: string): StateClient {
  const windowMs = limits.renewalWindowSeconds * 1000;
  return {
    ...state,
    async renew(subject, token, renewed) {
      const now = Date.now();
      const local = localHit(realmKey(realm, stateKey("renew", "client", requestor)), windowMs, now);
      if (local.count > limits.maxRenewalsPerWindow) throw rateLimited("Too many renewals; try again later.", local.resetAt, now);
      const r = await state.renew(subject, token, renewed, { max: limits.maxRenewalsPerWindow, windowMs });
      if (!r.ok && r.reason === "rate-limited") {
        throw rateLimited("Too many renewals for this subject; try again later.", r.retryAt ?? now + windowMs, now);
      }
      return r;
    },
  };
}

/**
 * The disable history of configured users. A directory user's row says when it was last disabled
 * (`disabled_at`), and a browser session begun before that ends for good. A configured user's
 * entry says only whether it is enabled now: without a record, a user disabled in the
 * configuration and enabled again later would get back the sessions from before the disable.
 * So the first time an isolate sees a configuration with a user disabled, it ends that user's
 * sessions begun before now in the user's state object (`endSessions`, one row, the cut-off only
 * moving forward, so every isolate recording it is harmless while no version enabling the user
 * serves beside this one — one that does, in a gradual deployment, has its sessions of the user
 * ended by each isolate this configuration starts; docs/storage.md). A session check already asks that
 * object, so honouring it costs nothing per request; recording it costs one call per disabled
 * configured user, once per isolate and configuration — and, while the state store fails, once
 * per {@link RETRY_AFTER_MS}, not once per request: each try is awaited by the request that makes
 * it and clears the isolate's read leases, so a try per request would hold every request of the
 * isolate on the failing object and send every status check to the state store.
 */
import type { ResolvedConfig } from "../config/types.ts";
import { everyRealm } from "../config/key-rings.ts";
import { logEvent } from "../web/log.ts";
import { SESSION_MAX_MS } from "../pages/wsfed-session.ts";
import type { Env } from "./env.ts";
import { stateFor } from "./state.ts";

/** How long after a failed recording the next try waits, ms. */
export const RETRY_AFTER_MS = 30_000;

/** Each configuration's recording, once done (or under way), or when it may be tried again after failing. */
const recorded = new WeakMap<ResolvedConfig, Promise<void> | { retryAt: number }>();

/**
 * Ends the sessions of every user that `top` (and each of its realms) configures disabled, once
 * per isolate and configuration, before its first request is served. A failure is logged and
 * tried again by the first request {@link RETRY_AFTER_MS} later; it stops no request (a
 * disabled user signs in nowhere meanwhile all the same).
 */
export function recordConfiguredDisables(env: Env, top: ResolvedConfig): Promise<void> {
  const held = recorded.get(top);
  if (held instanceof Promise) return held;
  const now = Date.now();
  if (held !== undefined && now < held.retryAt) return Promise.resolve();
  const p = Promise.all(
    everyRealm(top).flatMap((config) => [...config.users.values()].filter((u) => !u.enabled).map((u) => stateFor(env, config).endSessions({ subject: u.username }, now, SESSION_MAX_MS))),
  ).then(
    () => undefined,
    (e: unknown) => {
      recorded.set(top, { retryAt: Date.now() + RETRY_AFTER_MS });
      logEvent({ level: "error", event: "configured_disable_unrecorded", message: `The browser sessions of the users the configuration disables could not be ended in the state store (they would come back if the user were enabled again); tried again in ${RETRY_AFTER_MS / 1000} s: ${e instanceof Error ? e.message : String(e)}` });
    },
  );
  recorded.set(top, p);
  return p;
}

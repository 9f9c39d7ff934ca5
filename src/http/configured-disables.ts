/**
 * The disable history of configured users. A directory user's row says when it was last disabled
 * (`disabled_at`), and a browser session begun before that ends for good. A configured user's
 * entry says only whether it is enabled now: without a record, a user disabled in the
 * configuration and enabled again later would get back the sessions from before the disable.
 * So the first time an isolate sees a configuration with a user disabled, it ends that user's
 * sessions begun before now in the user's state object (`endSessions`, one row, the cut-off only
 * moving forward, so every isolate recording it is harmless). A session check already asks that
 * object, so honouring it costs nothing per request; recording it costs one call per disabled
 * configured user, once per isolate and configuration.
 */
import type { ResolvedConfig } from "../config/types.ts";
import { everyRealm } from "../config/key-rings.ts";
import { logEvent } from "../web/log.ts";
import type { Env } from "./env.ts";
import { stateFor } from "./state.ts";

/** Each configuration's recording, once done (or under way). */
const recorded = new WeakMap<ResolvedConfig, Promise<void>>();

/**
 * Ends the sessions of every user that `top` (and each of its realms) configures disabled, once
 * per isolate and configuration, before its first request is served. A failure is logged and
 * tried again with the next request; it stops no request (a disabled user signs in nowhere
 * meanwhile all the same).
 */
export function recordConfiguredDisables(env: Env, top: ResolvedConfig): Promise<void> {
  let p = recorded.get(top);
  if (p === undefined) {
    const now = Date.now();
    p = Promise.all(
      everyRealm(top).flatMap((config) => [...config.users.values()].filter((u) => !u.enabled).map((u) => stateFor(env, config).endSessions({ subject: u.username }, now))),
    ).then(
      () => undefined,
      (e: unknown) => {
        recorded.delete(top);
        logEvent({ level: "error", event: "configured_disable_unrecorded", message: `The browser sessions of the users the configuration disables could not be ended in the state store (they would come back if the user were enabled again); tried again with the next request: ${e instanceof Error ? e.message : String(e)}` });
      },
    );
    recorded.set(top, p);
  }
  return p;
}

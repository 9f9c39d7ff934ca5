import type { Context, Env as HonoEnv, Hono } from "hono";
import type { RequestServices } from "../engine/types.ts";
import { NO_STORE } from "../web/headers.ts";
import { throughDoor } from "./door.ts";
import { readRevokeSubjectRequest } from "./request.ts";
import { registerUserRoutes } from "./users.ts";

/**
 * The one answer to every caller that is not a service account allowed to revoke subjects —
 * no credentials, a wrong password, an unknown name, a user's right password, a service
 * account without the operation — so that this door tells nobody which passwords are right.
 */
const REFUSED = "Send the credentials of a service account allowed to revoke subjects, with HTTP Basic.";

/**
 * `POST /admin/revoke-subject` — revoke everything a subject holds, issued before now (or
 * `before`), with one write to the subject's state object. Caller: a service account with
 * the `revoke-subject` operation, over HTTP Basic (src/admin/door.ts). Body: JSON
 * `{"subject": "alice", "before"?: "<RFC 3339 date-time>"}`, read under `limits.maxBodyBytes`.
 * Every protocol (WS-Trust Validate/Renew, introspection, exchange) then sees those tokens as
 * revoked. And `/admin/users`, the user directory's administration (src/admin/users.ts).
 */
export function registerAdminRoutes<E extends HonoEnv>(app: Hono<E>, services: (c: Context<E>) => RequestServices): void {
  app.post("/admin/revoke-subject", (c) =>
    throughDoor(c, services, { route: "revoke-subject", operation: "admin.revoke_subject", refused: REFUSED }, async ({ ctx, state }) => {
      const req = await readRevokeSubjectRequest(c.req.raw, ctx.config.limits.maxBodyBytes, ctx.now().getTime());
      ctx.audit.subject = req.subject;
      const cutoff = await state.revokeSubject({ subject: req.subject }, req.before);
      return c.json({ subject: req.subject, revoked_before: new Date(cutoff).toISOString() }, 200, NO_STORE);
    }),
  );
  registerUserRoutes(app, services);
}

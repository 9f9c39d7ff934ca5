import type { Context, Env as HonoEnv, Hono } from "hono";
import { authenticateLimited } from "../abuse/guard.ts";
import { decide } from "../engine/authorize.ts";
import type { RequestServices } from "../engine/types.ts";
import { StsError, authenticationFailed } from "../errors.ts";
import { writeAudit } from "../web/audit.ts";
import { parseBasicAuthorization } from "../web/basic-auth.ts";
import { readBodyLimited } from "../web/body.ts";
import { NO_STORE } from "../web/headers.ts";
import { readRevokeSubjectRequest } from "./request.ts";

/**
 * The one answer to every caller that is not a service account allowed to revoke subjects —
 * no credentials, a wrong password, an unknown name, a user's right password, a service
 * account without the operation — so that this door tells nobody which passwords are right.
 */
const REFUSED = "Send the credentials of a service account allowed to revoke subjects, with HTTP Basic.";
const REFUSED_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...NO_STORE, "WWW-Authenticate": 'Basic realm="sts-admin"' });

/**
 * `POST /admin/revoke-subject` — revoke everything a subject holds, issued before now (or
 * `before`), with one write to the subject's state object. Caller: a service account with
 * the `revoke-subject` operation, over HTTP Basic, under the failed-authentication limits of
 * every door (src/abuse/). Body: JSON `{"subject": "alice", "before"?: "<RFC 3339
 * date-time>"}`, read under `limits.maxBodyBytes`. Every protocol (WS-Trust
 * Validate/Renew, introspection, exchange) then sees those tokens as revoked.
 */
export function registerAdminRoutes<E extends HonoEnv>(app: Hono<E>, services: (c: Context<E>) => RequestServices): void {
  app.post("/admin/revoke-subject", async (c) => {
    const started = Date.now();
    const svc = services(c);
    const ctx = await svc.context();
    ctx.audit.operation = "admin.revoke_subject";
    try {
      const cred = parseBasicAuthorization(c.req.header("authorization"));
      if (!cred) throw authenticationFailed(REFUSED);
      ctx.audit.requestor = cred.user;
      const state = svc.state(ctx);
      // Only an account this route admits authenticates here; anyone else fails as a wrong
      // password does (same answer, same cost, counted as a failure).
      await authenticateLimited(ctx, state, svc.clientAddress, cred.user, cred.secret, (who) => decide(who, { route: "revoke-subject" }).allowed);
      const req = readRevokeSubjectRequest(await readBodyLimited(c.req.raw, ctx.config.limits.maxBodyBytes), ctx.now().getTime());
      ctx.audit.subject = req.subject;
      await state.revokeSubject({ issuer: ctx.issuer, subject: req.subject }, req.before);
      await writeAudit(ctx.audit, { ok: true, status: 200 }, started);
      return c.json({ subject: req.subject, revoked_before: new Date(req.before).toISOString() }, 200, NO_STORE);
    } catch (e) {
      if (!(e instanceof StsError)) throw e;
      if (e.code === "authentication_failed") {
        await writeAudit(ctx.audit, { ok: false, status: 401, error: e.code, reason: REFUSED }, started);
        return c.json({ error: e.code, error_description: REFUSED }, 401, REFUSED_HEADERS);
      }
      const status = e.code === "rate_limited" ? 429 : 400;
      await writeAudit(ctx.audit, { ok: false, status, error: e.code, reason: e.message }, started);
      const headers: Record<string, string> = { ...NO_STORE };
      if (e.retryAfterSeconds !== undefined) headers["Retry-After"] = String(e.retryAfterSeconds);
      return c.json({ error: e.code, error_description: e.message }, status, headers);
    }
  });
}
